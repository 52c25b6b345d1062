// Every operation of the catalogue (docs/windows-commands.md) run on emulated Agents under both DefaultShells, and
// values full of shell metacharacters that Windows allows in file names arriving intact.
import * as assert from 'node:assert/strict';
import type { AgentLab } from '../../../lab/agent/lab';
import { labPackage } from '../../../lab/agent/seed';
import type { SshPool } from '../../../src/adapters/ssh/pool';
import { parseBooleans, parseCsv, parseInstalledPrograms, parseServices, parseVersionHistory } from '../../../src/core/dataminer/agent-output';
import * as w from '../../../src/core/dataminer/windows-commands';
import { endpointOf, labPool } from './helpers';
import { sharedLab, tempDir } from './lab';

const P = w.DEFAULT_AGENT_PATHS;
const NASTY = "a & whoami %OS% $x $(whoami) ; ' \u2019 ^ ( ) , = ! @ # [x] {y} `z";

const shells: Array<{ shell: w.DefaultShell; agent: string }> = [
  { shell: 'cmd', agent: 'dma-16' },
  { shell: 'powershell', agent: 'dma-17' },
];

for (const { shell, agent } of shells) {
  describe(`Windows command catalogue under ${shell}`, () => {
    let lab: AgentLab;
    let pool: SshPool;
    let firstCall = 0;
    const run = async (line: string) => pool.exec(endpointOf(lab, lab.agent(agent)), line);
    before(async () => {
      lab = await sharedLab();
      lab.update(agent, (s) => {
        s.defaultShell = shell;
      });
      pool = labPool(lab, tempDir('wincmd'));
      firstCall = lab.calls(agent).length;
    });

    it('detect-shell tells which DefaultShell answers', async () => {
      assert.equal((await run(w.detectShell().line)).stdout.trim(), shell === 'cmd' ? 'Windows_NT' : '%OS%');
    });
    it('locate-taskbar-utility finds the documented (x86) location', async () => {
      assert.deepEqual(parseBooleans((await run(w.locateTaskbarUtility(shell).line)).stdout), [true, false]);
    });
    it('read-version-history returns the history, newest last', async () => {
      const entries = parseVersionHistory((await run(w.readVersionHistory(P, shell).line)).stdout);
      assert.equal(entries.at(-1)?.build, lab.state(agent).build);
    });
    it('list-installed-programs returns name, version and product code', async () => {
      const programs = parseInstalledPrograms((await run(w.listInstalledPrograms(shell).line)).stdout);
      assert.deepEqual(programs.map((p) => p.key).sort(), lab.state(agent).programs.map((p) => p.productCode).sort());
    });
    it('list-module-installers lists Tools\\ModuleInstallers', async () => {
      assert.equal((await run(w.listModuleInstallers(P, shell).line)).stdout.split('\n').length, 4);
    });
    it('list-services reports known services and skips unknown names', async () => {
      const services = parseServices((await run(w.listServices(['SLNet', 'No Such Service', 'SLWatchdog'], shell).line)).stdout);
      assert.deepEqual(services.map((s) => s.name), ['SLNet', 'SLWatchdog']);
    });
    for (const action of ['stop', 'start', 'restart'] as const) {
      it(`taskbar-${action} returns the utility's exit code and changes the Agent's state`, async () => {
        assert.equal((await run(w.taskbar(action, P, shell).line)).exitCode, 0);
        assert.equal(lab.state(agent).status, action === 'stop' ? 'Not running' : 'Running');
      });
    }
    it('ensure-folder and test-path handle a folder name full of shell metacharacters', async () => {
      const folder = w.join(w.upgradesDir(P), NASTY);
      assert.equal((await run(w.ensureFolder(folder, shell).line)).exitCode, 0);
      assert.deepEqual(parseBooleans((await run(w.testPath(folder, shell).line)).stdout), [true]);
      assert.deepEqual(parseBooleans((await run(w.testPath(w.join(folder, 'missing'), shell).line)).stdout), [false]);
    });
    it('write-upgrade-info writes the XML document', async () => {
      const path = w.join(w.upgradesDir(P), NASTY, 'UpgradeInfo.xml');
      const info = { agents: ['10.0.0.11', 'dma-b.example.com'], isCluster: true, extractAllFiles: true, delayedStart: false, automaticStartServices: true, stopSnmp: false, rebootAfterUpgrade: false, failoverPolicy: 'BackupFirst' as const };
      assert.equal((await run(w.writeUpgradeInfo(path, info, shell).line)).exitCode, 0);
      assert.equal(lab.readFile(agent, path)?.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').trim(), w.upgradeInfoXml(info));
    });
    it('taskbar-upgrade passes a package path full of metacharacters intact and read-upgrade-progress follows it', async () => {
      const pkg = w.join(w.upgradesDir(P), NASTY, `${NASTY}.dmupgrade`);
      lab.placeFile(agent, pkg, labPackage('10.3.9'));
      // This Agent's own UpgradeInfo.xml: the emulated Taskbar Utility refuses addresses that are no Agent of its DMS.
      const info = w.join(w.upgradesDir(P), NASTY, 'UpgradeInfo-own.xml');
      const own = { agents: [lab.agent(agent).address], isCluster: false, extractAllFiles: false, delayedStart: false, automaticStartServices: true, stopSnmp: false, rebootAfterUpgrade: false, failoverPolicy: 'UseDefault' as const };
      assert.equal((await run(w.writeUpgradeInfo(info, own, shell).line)).exitCode, 0);
      const r = await run(w.runUpgrade(P, pkg, info, shell).line);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(lab.state(agent).upgrade?.packageWindowsPath, pkg);
      const progress = await run(w.readUpgradeProgress(P, `${NASTY}.dmupgrade`, 5, shell).line);
      assert.equal(progress.exitCode, 0, progress.stderr);
      assert.match(progress.stdout, /Upgrade started with package/);
      assert.ok(progress.stdout.split('\n').length <= 5);
    });
    it('msi-uninstall of a product that is not installed returns 1605 (low 8 bits on Linux; full code recorded)', async () => {
      const r = await run(w.uninstallMsi('{00000000-0000-0000-0000-000000000000}', w.join(w.upgradesDir(P), 'u.log'), shell).line);
      assert.equal(r.exitCode, 1605 & 0xff);
      assert.equal(lab.calls(agent).at(-1)?.['exitCode'], 1605);
    });
    it('msi-install of a missing installer returns 1619', async () => {
      const r = await run(w.installMsi(w.join(w.moduleInstallersDir(P), 'DataMiner StorageModule 9.9.9.msi'), w.join(w.upgradesDir(P), 'i.log'), shell).line);
      assert.equal(lab.calls(agent).at(-1)?.['exitCode'], 1619);
      assert.equal(r.exitCode, 1619 & 0xff);
    });
    it('no value reaches the shell: every call ran as exactly one operation without errors from injected text', async () => {
      const calls = lab.calls(agent).slice(firstCall);
      assert.ok(calls.every((c) => c['shell'] === shell || c['shell'] === undefined));
      assert.ok(!calls.some((c) => String(c['line']).includes('whoami')), 'the outer line carries no value');
      assert.ok(calls.filter((c) => typeof c['script'] === 'string' && String(c['script']).includes('whoami')).length >= 3);
    });
    it('the emulated shell would expose a naive rendering that let a value through', async () => {
      const naive = shell === 'cmd' ? 'echo C:\\a & whoami' : "Write-Output 'C:\\a'; whoami";
      const r = await run(naive);
      assert.match(r.stderr, /'whoami' is not recognized|The term 'whoami' is not recognized/);
    });
  });
}

describe('Windows command values that cannot be made safe', () => {
  it('are refused before anything is sent', () => {
    assert.throws(() => w.testPath('C:\\a"b', 'cmd'), w.UnsafeCommandValueError);
    assert.throws(() => w.testPath('C:\\a\nb', 'cmd'), w.UnsafeCommandValueError);
    assert.throws(() => w.testPath('relative\\path', 'cmd'), w.UnsafeCommandValueError);
    assert.throws(() => w.uninstallMsi('{not-a-guid}; calc', 'C:\\x.log', 'cmd'), w.UnsafeCommandValueError);
    assert.throws(() => w.listServices(["SLNet'; Stop-Computer"], 'cmd'), w.UnsafeCommandValueError);
    assert.throws(() => w.upgradeInfoXml({ agents: ['1.2.3.4</IP><x>'], isCluster: false, extractAllFiles: false, delayedStart: false, automaticStartServices: false, stopSnmp: false, rebootAfterUpgrade: false, failoverPolicy: 'UseDefault' }));
  });
  it('parseCsv reads what ConvertTo-Csv writes', () => {
    assert.deepEqual(parseCsv('"A","B"\r\n"x ""q""","1,2"\r\n'), [{ A: 'x "q"', B: '1,2' }]);
  });
});
