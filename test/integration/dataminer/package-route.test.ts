// Route B end to end through the backout command line against a 3-Agent DMS in the Agent lab.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { productCodeFor } from '../../../lab/agent/emulator/dataminer';
import { backout, done, executedCalls, runIdOf, startDms, waitFor, type DmsLab } from './dms-lab';

const PKG_DIR = 'C:\\Skyline DataMiner\\Upgrades';
const pkg = (v: string): string => `${PKG_DIR}\\DataMiner ${v}.dmupgrade`;
const STORAGE_303 = productCodeFor('DataMiner StorageModule', '3.0.3');
const API_202 = productCodeFor('DataMiner UserDefinableApiEndpoint', '2.0.2');
const UNINSTALL = /'\/x'/;
const CHANGES = /Start-Process|Set-Content|New-Item|Remove-Item/;

function seeds(version: string, over: Record<string, object> = {}): Array<{ name: string; version: string; upgradeDurationMs: number }> {
  return ['dma-01', 'dma-02', 'dma-03'].map((name) => ({ name, version, upgradeDurationMs: 1500, ...(over[name] ?? {}) }));
}

function placeEverywhere(dms: DmsLab, version: string, prerequisites?: string[]): void {
  for (const a of dms.lab.agents) dms.lab.placePackage(a.name, pkg(version), version, prerequisites);
}

const HISTORY = 'C:\\Skyline DataMiner\\Upgrades\\VersionHistory.txt';

function swapRun(dms: DmsLab, scope: 'each-agent' | 'cluster' = 'each-agent'): string[] {
  return [
    'run', 'dataminer.downgrade', '--yes',
    '--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.3.5',
    '--param', `packages=agent:${pkg('10.3.5')}`, '--param', `upgradeScope=${scope}`,
  ];
}

describe('DataMiner downgrade with packages, end to end (Agent lab, backout CLI)', function () {
  this.timeout(180_000);

  it('10.3.9 → 10.3.5 downgrades every Agent and swaps the modules on each', async () => {
    const dms = await startDms(seeds('10.3.9'));
    try {
      placeEverywhere(dms, '10.3.5');
      const r = await backout(dms, swapRun(dms), done(3)).done;
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /run succeeded/);
      for (const a of dms.lab.agents) {
        const s = dms.lab.state(a.name);
        assert.match(s.build, /^10\.3\.5\.0-/);
        assert.strictEqual(s.status, 'Running', `${a.name} runs (no longer "Starting up")`);
        const mods = s.programs.filter((p) => p.name.startsWith('DataMiner ')).map((p) => `${p.name} ${p.version}`).sort();
        assert.deepStrictEqual(mods, ['DataMiner StorageModule 1.0.1', 'DataMiner UserDefinableApiEndpoint 1.1.1']);
        assert.strictEqual(executedCalls(dms.lab, a.name, UNINSTALL).length, 2, `${a.name}: two uninstalls`);
        assert.match(dms.lab.readFile(a.name, 'C:\\Skyline DataMiner\\Upgrades\\VersionHistory.txt') ?? '', /;10\.3\.5\.0-\d+-\d+-release\r\n$/);
      }
    } finally {
      await dms.stop();
    }
  });

  it('default scope (cluster): 10.3.9 → 10.3.5 runs the upgrade once, from dma-01, and every Agent is downgraded, swapped and verified', async () => {
    const dms = await startDms(seeds('10.3.9'));
    try {
      // The package is needed only where the upgrade runs.
      dms.lab.placePackage('dma-01', pkg('10.3.5'), '10.3.5');
      const r = await backout(dms, ['run', 'dataminer.downgrade', '--yes', '--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.3.5', '--param', `packages=agent:${pkg('10.3.5')}`], done(3)).done;
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      const info = dms.lab.readFile('dma-01', 'C:\\Skyline DataMiner\\Upgrades\\Backout\\UpgradeInfo-p1.xml') ?? '';
      for (const a of dms.lab.agents) assert.match(info, new RegExp(`<IP>${a.address.replace(/\./g, '\\.')}</IP>`));
      assert.match(info, /<IsCluster>true<\/IsCluster>/);
      for (const a of dms.lab.agents) {
        const s = dms.lab.state(a.name);
        assert.match(s.build, /^10\.3\.5\.0-/, a.name);
        assert.strictEqual(s.status, 'Running', `${a.name} runs after the swap`);
        // The Agent's own record of what it did: a step id like write-upgrade-info also appears in the job bookkeeping.
        assert.strictEqual(dms.lab.effects(a.name).filter((e) => e.kind === 'upgrade').length, a.name === 'dma-01' ? 1 : 0, `${a.name}: the upgrade ran on dma-01 only`);
        assert.strictEqual(executedCalls(dms.lab, a.name, UNINSTALL).length, 2, `${a.name}: module swap`);
        assert.match(dms.lab.readFile(a.name, HISTORY) ?? '', /;10\.3\.5\.0-\d+-\d+-release\r\n$/);
        const backups = path.join(dms.lab.agent(a.name).dir, 'C', 'Skyline DataMiner Backups');
        assert.strictEqual(fs.readdirSync(backups).filter((f) => f.endsWith('.dmbackup')).length, 1, `${a.name}: one backup before the package`);
      }
      // The MOP's order: the version is verified after the swap started DataMiner again.
      const order = ['wait-upgrade-p1', 'swap-stop-dataminer', 'swap-start-dataminer', 'verify-version-p1'].map((id) => r.stdout.indexOf(`${id} / `));
      assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] as number))), r.stdout);
    } finally {
      await dms.stop();
    }
  });

  it('a wrong Agents list in the cluster upgrade fails: the Taskbar Utility refuses an address that is not in the DMS', async () => {
    const dms = await startDms(seeds('10.3.9'));
    try {
      dms.lab.placePackage('dma-01', pkg('10.3.8'), '10.3.8');
      const wrong = dms.lab.agents.map((a) => `${a.name}=127.0.0.1`).join(',');
      const r = await backout(dms, ['run', 'dataminer.downgrade', '--yes', '--param', 'route=package', '--param', `agents=${wrong}`, '--param', 'to=10.3.8', '--param', `packages=agent:${pkg('10.3.8')}`], done(3)).done;
      assert.notStrictEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /upgrade-p1 \/ dma-01: failed/);
      for (const a of dms.lab.agents) assert.match(dms.lab.state(a.name).build, /^10\.3\.9\.0-/);
    } finally {
      await dms.stop();
    }
  });

  it('resumes a run killed in the middle of the module swap without uninstalling any module twice', async () => {
    const dms = await startDms(seeds('10.3.9'));
    try {
      placeEverywhere(dms, '10.3.5');
      // dma-02's programs take 4 s before and after their effect: the run is killed while its first uninstall runs.
      dms.lab.setFaults('dma-02', { programMs: 4000 });
      const first = backout(dms, swapRun(dms), done(3));
      await waitFor('the uninstall job on dma-02', () => dms.lab.calls('dma-02').some((c) => typeof c.wmiCreate === 'string' && /swap-uninstall-storagemodule/.test(c.wmiCreate)), 120_000);
      const runId = runIdOf(first.stdout());
      first.child.kill('SIGKILL');
      const killed = await first.done;
      assert.strictEqual(killed.signal, 'SIGKILL');
      assert.strictEqual(dms.lab.effects('dma-02').filter((e) => e.kind === 'uninstall').length, 0, 'killed before the uninstall took effect');

      // The uninstall outlived the killed run on dma-02: the resume finds its job running, waits for it and takes its
      // exit code; nobody is asked what happened (only the two manual steps are answered).
      const resumed = backout(dms, ['resume', runId, '--yes'], done(2));
      const journalFile = path.join(dms.runsDir, runId, 'journal.jsonl');
      await waitFor('the resume to wait for the running uninstall', () => fs.readFileSync(journalFile, 'utf8').includes('is still running from the interrupted session'));
      dms.lab.setFaults('dma-02', {});
      const r = await resumed.done;
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      for (const a of dms.lab.agents) {
        const uninstalls = dms.lab.effects(a.name).filter((e) => e.kind === 'uninstall');
        assert.strictEqual(uninstalls.filter((e) => e.detail.includes(STORAGE_303)).length, 1, `${a.name}: StorageModule uninstalled once`);
        assert.strictEqual(uninstalls.filter((e) => e.detail.includes(API_202)).length, 1, `${a.name}: UserDefinableApiEndpoint uninstalled once`);
        assert.match(dms.lab.state(a.name).build, /^10\.3\.5\.0-/);
        assert.strictEqual(dms.lab.state(a.name).status, 'Running');
      }
      const journal = fs.readFileSync(path.join(dms.runsDir, runId, 'journal.jsonl'), 'utf8');
      assert.match(journal, /Step swap-uninstall-storagemodule on dma-02 \(attempt 1\) is still running from the interrupted session[^\n]*waiting for it to end, not starting it again/);
      assert.match(journal, /"step":"swap-uninstall-storagemodule","instance":"dma-02","state":"succeeded"[^\n]*finished after the interruption \(exit code 0, recorded on dma-02/);
      assert.doesNotMatch(r.stdout, /may already have run|Backout cannot tell/);
    } finally {
      await dms.stop();
    }
  });

  it('refuses before any change when an Agent has no suitable module installer, naming it', async () => {
    const dms = await startDms(seeds('10.3.9', { 'dma-03': { moduleInstallers: ['DataMiner StorageModule 3.0.3.msi', 'DataMiner UserDefinableApiEndpoint 1.1.1.msi'] } }));
    try {
      placeEverywhere(dms, '10.3.5');
      const r = await backout(dms, swapRun(dms), done(3)).done;
      assert.notStrictEqual(r.code, 0);
      assert.match(r.stderr, /Agent dma-03 \(127\.0\.0\.13\): no installer of DataMiner StorageModule 1\.0\.1 or lower in C:\\Skyline DataMiner\\Tools\\ModuleInstallers/);
      for (const a of dms.lab.agents) {
        const changing = dms.lab.calls(a.name).filter((c) => typeof c.script === 'string' && CHANGES.test(c.script));
        assert.deepStrictEqual(changing, [], `${a.name} was only read`);
        assert.match(dms.lab.state(a.name).build, /^10\.3\.9\.0-/);
      }
      assert.ok(!fs.existsSync(dms.runsDir) || fs.readdirSync(dms.runsDir).filter((f) => f !== 'locks').length === 0, 'no run was started');
    } finally {
      await dms.stop();
    }
  });

  it('refuses a DMS whose Agents disagree on the version, listing each', async () => {
    const dms = await startDms(seeds('10.3.9', { 'dma-02': { version: '10.3.8' } }));
    try {
      const r = await backout(dms, ['plan', 'dataminer.downgrade', '--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.3.5']).done;
      assert.notStrictEqual(r.code, 0);
      assert.match(r.stderr, /dma-01 \(127\.0\.0\.11\): 10\.3\.9 .*dma-02 \(127\.0\.0\.12\): 10\.3\.8 .*dma-03 \(127\.0\.0\.13\): 10\.3\.9/);
    } finally {
      await dms.stop();
    }
  });

  it('10.5.2 → 10.3.4 across majors (cluster): the 10.3.4 package, installed while the DMS runs 10.4.0, fails VerifyNatsIsRunning as the vendor\'s does', async () => {
    const dms = await startDms(seeds('10.5.2'));
    try {
      // The vendor's packages of these versions: both carry VerifyNatsIsRunning.
      dms.lab.placePackage('dma-01', pkg('10.4.0'), '10.4.0');
      dms.lab.placePackage('dma-01', pkg('10.3.4'), '10.3.4');
      const args = ['run', 'dataminer.downgrade', '--yes', '--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.3.4', '--param', 'moduleSwap=no', '--param', `packages=agent:${pkg('10.4.0')};agent:${pkg('10.3.4')}`];
      const failed = await backout(dms, args, done(3)).done;
      assert.strictEqual(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /wait-upgrade-p2 \/ dma-01: failed[^\n]*Prerequisite check VerifyNatsIsRunning failed/);
      // The 10.4.0 package passed its check on 10.5.2: the DMS stopped halfway, every Agent on 10.4.0.
      for (const a of dms.lab.agents) assert.match(dms.lab.state(a.name).build, /^10\.4\.0\.0-/, a.name);
    } finally {
      await dms.stop();
    }
  });
});
