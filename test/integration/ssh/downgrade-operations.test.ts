// The Windows operations of the downgrade MOP, end to end on emulated Agents under both DefaultShells: upload a
// package to a path with spaces, write UpgradeInfo.xml, run the upgrade, follow progress.log to "completed", then the
// module swap of the 10.3.8+ -> 10.3.4..10.3.7 case.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labPackage } from '../../../lab/agent/seed';
import { gatherAgentFacts } from '../../../src/adapters/ssh/agent-facts';
import {
  DEFAULT_AGENT_PATHS,
  DefaultShell,
  installMsi,
  join,
  moduleInstallersDir,
  readUpgradeProgress,
  runUpgrade,
  sftpPath,
  taskbar,
  uninstallMsi,
  upgradesDir,
  writeUpgradeInfo,
} from '../../../src/core/dataminer/windows-commands';
import { UploadFailedError } from '../../../src/adapters/ssh/errors';
import { endpointOf, labPool } from './helpers';
import { sharedLab, tempDir } from './lab';

const cases: Array<{ agent: string; shell: DefaultShell }> = [
  { agent: 'dma-14', shell: 'cmd' },
  { agent: 'dma-15', shell: 'powershell' },
];

for (const { agent: name, shell } of cases) {
  describe(`downgrade operations on an Agent whose DefaultShell is ${shell}`, () => {
    it('downgrades 10.3.9 to 10.3.6, stays "Starting up" until the modules are swapped, then runs', async function () {
      const lab = await sharedLab();
      lab.update(name, (s) => {
        s.defaultShell = shell;
      });
      const dir = tempDir('downgrade');
      const pool = labPool(lab, dir);
      const e = endpointOf(lab, lab.agent(name));
      const p = DEFAULT_AGENT_PATHS;
      const pkgName = 'DataMiner 10.3.6.0 (downgrade) Full.dmupgrade';
      const local = path.join(dir, 'pkg.dmupgrade');
      fs.writeFileSync(local, labPackage('10.3.6'));
      const pkgPath = join(upgradesDir(p), pkgName);

      const progress: number[] = [];
      const sent = await pool.upload(e, local, sftpPath(pkgPath), { progress: (done) => progress.push(done) });
      assert.equal(sent, fs.statSync(local).size);
      assert.equal(progress.at(-1), sent);
      assert.equal(lab.readFile(name, pkgPath), labPackage('10.3.6'));

      const infoPath = join(upgradesDir(p), 'UpgradeInfo.xml');
      // The address the Agent's DMS knows it by: the emulated Taskbar Utility refuses an address that is no Agent of it.
      const info = { agents: [lab.agent(name).address], isCluster: false, extractAllFiles: false, delayedStart: false, automaticStartServices: true, stopSnmp: false, rebootAfterUpgrade: false, failoverPolicy: 'UseDefault' as const };
      assert.equal((await pool.exec(e, writeUpgradeInfo(infoPath, info, shell).line)).exitCode, 0);
      assert.match(lab.readFile(name, infoPath) ?? '', /<FailoverPolicy>UseDefault<\/FailoverPolicy>/);

      const started = await pool.exec(e, runUpgrade(p, pkgPath, infoPath, shell).line);
      assert.equal(started.exitCode, 0, started.stderr);

      let log = '';
      for (let i = 0; i < 100 && !/Upgrade completed/.test(log); i++) {
        await new Promise((r) => setTimeout(r, 150));
        log = (await pool.exec(e, readUpgradeProgress(p, pkgName, 50, shell).line)).stdout;
      }
      assert.match(log, /Starting up \(\d+%\)/);
      assert.match(log, /Upgrade completed/);
      assert.equal(lab.state(name).status, 'Starting', 'stuck while StorageModule 3.0.3 and UserDefinableApiEndpoint 2.0.2 are installed');

      const facts = await gatherAgentFacts(pool, e, { shell });
      // VersionHistory.txt gets its line when the DMA first starts after the upgrade: not yet while "Starting up".
      assert.equal(facts.version?.version, '10.3.9.0');

      assert.equal((await pool.exec(e, taskbar('stop', p, shell).line)).exitCode, 0);
      const logPath = join(upgradesDir(p), 'msi.log');
      // Installing the older module over the newer one is refused (1638 -> 8 bits on Linux; the lab records the full code).
      const older = join(moduleInstallersDir(p), 'DataMiner UserDefinableApiEndpoint 1.1.1.msi');
      const refused = await pool.exec(e, installMsi(older, logPath, shell).line);
      assert.equal(refused.exitCode, 1638 & 0xff);
      assert.equal(lab.calls(name).at(-1)?.['exitCode'], 1638);
      for (const m of facts.modules ?? []) {
        assert.equal((await pool.exec(e, uninstallMsi(m.productCode, logPath, shell).line)).exitCode, 0);
      }
      for (const file of ['DataMiner StorageModule 1.0.1.msi', 'DataMiner UserDefinableApiEndpoint 1.1.1.msi']) {
        assert.equal((await pool.exec(e, installMsi(join(moduleInstallersDir(p), file), logPath, shell).line)).exitCode, 0);
      }
      assert.equal((await pool.exec(e, taskbar('start', p, shell).line)).exitCode, 0);
      assert.equal(lab.state(name).status, 'Running');
      const after = await gatherAgentFacts(pool, e, { shell });
      assert.equal(after.version?.version, '10.3.6.0', 'the first start wrote the VersionHistory.txt line');
      assert.deepEqual(after.modules?.map((m) => `${m.module} ${m.version}`), ['DataMiner StorageModule 1.0.1', 'DataMiner UserDefinableApiEndpoint 1.1.1']);
    });

    it('refuses to reuse a package that was already used for an upgrade', async () => {
      const lab = await sharedLab();
      const pool = labPool(lab, tempDir('downgrade'));
      const e = endpointOf(lab, lab.agent(name));
      const pkgPath = join(upgradesDir(DEFAULT_AGENT_PATHS), 'DataMiner 10.3.6.0 (downgrade) Full.dmupgrade');
      const r = await pool.exec(e, runUpgrade(DEFAULT_AGENT_PATHS, pkgPath, join(upgradesDir(DEFAULT_AGENT_PATHS), 'UpgradeInfo.xml'), shell).line);
      assert.equal(r.exitCode, 1);
      assert.equal(lab.state(name).upgrade?.completed, true);
    });
  });
}

describe('known downgrade traps on an emulated Agent', () => {
  it('fails the VerifyNatsIsRunning prerequisite when going down from 10.4.x, and passes once the check is removed from the package', async () => {
    const lab = await sharedLab();
    const name = 'dma-13';
    lab.update(name, (s) => {
      s.build = '10.4.3.0-14321-20240410-release';
    });
    const pool = labPool(lab, tempDir('nats'));
    const e = endpointOf(lab, lab.agent(name));
    const p = DEFAULT_AGENT_PATHS;
    const withCheck = join(upgradesDir(p), 'DataMiner 10.3.9.0 with check.dmupgrade');
    lab.placePackage(name, withCheck, '10.3.9', ['VerifyNatsIsRunning']);
    assert.equal((await pool.exec(e, runUpgrade(p, withCheck, join(upgradesDir(p), 'none.xml'), 'cmd').line)).exitCode, 2, 'a missing UpgradeInfo.xml is refused');
    const info = join(upgradesDir(p), 'UpgradeInfo.xml');
    await pool.exec(e, writeUpgradeInfo(info, { agents: [lab.agent(name).address], isCluster: false, extractAllFiles: false, delayedStart: false, automaticStartServices: true, stopSnmp: false, rebootAfterUpgrade: false, failoverPolicy: 'UseDefault' }, 'cmd').line);
    assert.equal((await pool.exec(e, runUpgrade(p, withCheck, info, 'cmd').line)).exitCode, 0);
    let progress = '';
    for (let i = 0; i < 100 && !/aborted|completed/.test(progress); i++) {
      await new Promise((r) => setTimeout(r, 100));
      progress = (await pool.exec(e, readUpgradeProgress(p, 'DataMiner 10.3.9.0 with check.dmupgrade', 20, 'cmd').line)).stdout;
    }
    assert.match(progress, /Prerequisite check VerifyNatsIsRunning failed\. The upgrade was aborted\./);
    assert.equal(lab.state(name).build, '10.4.3.0-14321-20240410-release');

    const fixed = join(upgradesDir(p), 'DataMiner 10.3.9.0 without check.dmupgrade');
    lab.placePackage(name, fixed, '10.3.9', []);
    assert.equal((await pool.exec(e, runUpgrade(p, fixed, info, 'cmd').line)).exitCode, 0);
    for (let i = 0; i < 100 && !/completed/.test(progress); i++) {
      await new Promise((r) => setTimeout(r, 100));
      progress = (await pool.exec(e, readUpgradeProgress(p, 'DataMiner 10.3.9.0 without check.dmupgrade', 20, 'cmd').line)).stdout;
    }
    assert.match(progress, /Upgrade completed/);
    assert.match(lab.state(name).build, /^10\.3\.9\.0-/);
  });

  it('reports an upload to a path the Agent does not have as a failed upload, naming both paths', async () => {
    const lab = await sharedLab();
    const dir = tempDir('upload');
    const local = path.join(dir, 'p.dmupgrade');
    fs.writeFileSync(local, 'x');
    const err = await labPool(lab, dir)
      .upload(endpointOf(lab, lab.agent('dma-13')), local, '/D:/Nowhere/p.dmupgrade')
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof UploadFailedError, String(err));
    assert.match(err.message, /uploading .*p\.dmupgrade to \/D:\/Nowhere\/p\.dmupgrade failed/);
  });
});
