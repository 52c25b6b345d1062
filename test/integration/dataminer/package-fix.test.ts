// Route B with packages chosen on this machine: checked before the run, the VerifyNatsIsRunning fix made as a copy
// (the original untouched), and the copy uploaded to the Agent over SFTP — through the backout CLI against the lab.
import * as assert from 'assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yazl from 'yazl';
import { inspectPackage } from '../../../src/adapters/local/dmupgrade-package';
import { backout, startDms } from './dms-lab';

function zip(file: string, entries: Array<[string, string | { file: string }]>): Promise<void> {
  return new Promise((resolve) => {
    const z = new yazl.ZipFile();
    for (const [n, c] of entries) {
      if (typeof c === 'string') z.addBuffer(Buffer.from(c), n);
      else z.addFile(c.file, n);
    }
    z.outputStream.pipe(fs.createWriteStream(file)).on('close', () => resolve());
    z.end();
  });
}

async function dmupgrade(dir: string, name: string, build: string, nats: boolean): Promise<string> {
  const update = path.join(dir, `${name}.Update.zip`);
  await zip(update, [...(nats ? ([['Prerequisites/VerifyNatsIsRunning.dll', 'MZ nats']] as Array<[string, string]>) : []), ['Prerequisites/VerifyClusterPorts.dll', 'MZ ports'], ['Files/SLNet.exe', 'MZ']]);
  const file = path.join(dir, name);
  await zip(file, [['Update.zip', { file: update }], [`${build}.txt`, build]]);
  return file;
}

const sha = (f: string): string => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('DataMiner downgrade with local packages, end to end (Agent lab, backout CLI)', function () {
  this.timeout(180_000);

  it('checks the packages before the run, makes the fixed copy before anything is installed, and leaves the original as it was', async () => {
    const dms = await startDms([{ name: 'dma-01', version: '10.4.3' }], { userPrefix: 'bkfix' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-pkgs-'));
    try {
      const p1 = await dmupgrade(dir, 'DataMiner 10.3.0 CU21.dmupgrade', '10.3.0.0-13901-CU21', true);
      const p2 = await dmupgrade(dir, 'DataMiner 10.2.0 CU30.dmupgrade', '10.2.0.0-12600-CU30', false);
      const original = sha(p1);
      const common = ['--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.2.0', '--param', `packages=${p1};${p2}`];

      const wrongOrder = await backout(dms, ['plan', 'dataminer.downgrade', '--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.2.0', '--param', `packages=${p2};${p1}`]).done;
      assert.notStrictEqual(wrongOrder.code, 0);
      assert.match(wrongOrder.stderr, /it installs 10\.2\.0 \[CU30\].*must install 10\.3\.0/);

      const plan = await backout(dms, ['plan', 'dataminer.downgrade', '--json', ...common]).done;
      assert.strictEqual(plan.code, 0, plan.stderr);
      const doc = JSON.parse(plan.stdout) as { prerequisiteFix: boolean; packageFiles: Array<{ fixedCopy: string | null; revealedVersion: string | null }>; steps: Array<{ id: string }> };
      assert.strictEqual(doc.prerequisiteFix, true);
      assert.deepStrictEqual(doc.packageFiles.map((p) => p.revealedVersion), ['10.3.0.0-13901-CU21', '10.2.0.0-12600-CU30']);
      assert.deepStrictEqual(doc.steps.slice(2, 5).map((s) => s.id), ['fix-package-p1', 'upload-package-p1', 'check-package-p1']);

      // No --yes: acknowledge the warnings, then decline the first destructive step (the upgrade itself).
      const r = await backout(dms, ['run', 'dataminer.downgrade', ...common], ['1', 'n']).done;
      assert.match(r.stdout, /fix-package-p1 \/ local: succeeded/);
      const fixed = doc.packageFiles[0]?.fixedCopy as string;
      assert.strictEqual(sha(p1), original, 'the original package is unchanged');
      const copy = await inspectPackage(fixed);
      assert.strictEqual(copy.hasVerifyNatsIsRunning, false);
      assert.strictEqual(copy.updateZipEntries, 2);
      // The copy goes over SFTP on the run's SSH connection (host key checked against known_hosts) and is verified there.
      const onAgent = path.join(dms.lab.agent('dma-01').dir, 'C', 'Skyline DataMiner', 'Upgrades', path.basename(fixed));
      assert.match(r.stdout, /upload-package-p1 \/ dma-01: succeeded/);
      assert.match(r.stdout, /uploaded 100 % to dma-01/);
      assert.strictEqual(sha(onAgent), sha(fixed), 'the fixed copy was uploaded byte for byte');
      assert.strictEqual(r.code, 6, 'stopped at the declined confirmation of the upgrade');
      assert.match(dms.lab.state('dma-01').build, /^10\.4\.3\.0-/, 'nothing was installed');
      assert.ok(!dms.lab.effects('dma-01').some((e) => e.kind === 'upgrade'), 'the upgrade never started');
    } finally {
      await dms.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DataMiner downgrades across majors and between CUs, end to end (Agent lab, backout CLI)', function () {
  this.timeout(180_000);
  const HISTORY = 'C:\\Skyline DataMiner\\Upgrades\\VersionHistory.txt';

  it('10.5.2 → 10.3.4 with local packages: the fixed copy is made of the 10.3.4 package only, and the whole DMS reaches 10.3.4', async () => {
    const dms = await startDms(
      ['dma-01', 'dma-02'].map((name) => ({ name, version: '10.5.2', upgradeDurationMs: 1500 })),
      { userPrefix: 'bkfx' },
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-pkgs-'));
    try {
      // As the vendor's packages of these versions: both carry VerifyNatsIsRunning (10.2.7/10.2.0 [CU14] … 10.5.3/10.5.0 [CU0]).
      const p1 = await dmupgrade(dir, 'DataMiner 10.4.0.dmupgrade', '10.4.0.0-14000-20240110-release', true);
      const p2 = await dmupgrade(dir, 'DataMiner 10.3.4.dmupgrade', '10.3.4.0-13240-20230415-release', true);
      // 10.5.2 (10.3.8 or higher) → 10.3.4: the module swap applies too (moduleSwap=auto); without it the Agents would stay "Starting up".
      const args = ['--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.3.4', '--param', `packages=${p1};${p2}`];
      const plan = await backout(dms, ['plan', 'dataminer.downgrade', '--json', ...args]).done;
      assert.strictEqual(plan.code, 0, plan.stderr);
      const doc = JSON.parse(plan.stdout) as { natsFix: string[]; steps: Array<{ id: string }> };
      assert.deepStrictEqual(doc.natsFix, ['10.3.4']);
      assert.deepStrictEqual(doc.steps.filter((s) => s.id.startsWith('fix-package-')).map((s) => s.id), ['fix-package-p2']);

      const run = backout(dms, ['run', 'dataminer.downgrade', '--yes', ...args], ['1', '1', '1']);
      // Ended before the test's own timeout, so a hang shows the run's output instead of a bare timeout.
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 150_000);
      const r = await run.done.finally(() => clearTimeout(timer));
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      for (const a of dms.lab.agents) {
        assert.match(dms.lab.state(a.name).build, /^10\.3\.4\.0-13240-/, a.name);
        assert.strictEqual(dms.lab.state(a.name).status, 'Running', `${a.name} runs after the module swap`);
        assert.match(dms.lab.readFile(a.name, HISTORY) ?? '', /;10\.4\.0\.0-14000-[^\r\n]*\r\n[^;]*;10\.3\.4\.0-13240-[^\r\n]*\r\n$/, `${a.name} went through 10.4.0 to 10.3.4`);
      }
      // The 10.4.0 package kept its check and was installed as it is; only the 10.3.4 package went up without it.
      const uploaded = fs.readdirSync(path.join(dms.lab.agent('dma-01').dir, 'C', 'Skyline DataMiner', 'Upgrades')).filter((f) => f.endsWith('.dmupgrade')).sort();
      assert.deepStrictEqual(uploaded, ['DataMiner 10.3.4.without-VerifyNatsIsRunning.dmupgrade', 'DataMiner 10.4.0.dmupgrade']);
    } finally {
      await dms.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('main-release CU to CU: 10.3.0 [CU10] → 10.3.0 [CU5], read from -CUn build strings, verified on every Agent', async () => {
    const dms = await startDms(
      ['dma-01', 'dma-02'].map((name) => ({ name, version: '10.3.0 [CU10]', upgradeDurationMs: 1500 })),
      { userPrefix: 'bkcu' },
    );
    try {
      const pkgPath = 'C:\\Skyline DataMiner\\Upgrades\\DataMiner 10.3.0 CU5.dmupgrade';
      dms.lab.placePackage('dma-01', pkgPath, '10.3.0 [CU5]');
      const r = await backout(dms, ['run', 'dataminer.downgrade', '--yes', '--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.3.0 [CU5]', '--param', 'moduleSwap=no', '--param', `packages=agent:${pkgPath}`], ['1', '1', '1']).done;
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      for (const a of dms.lab.agents) {
        assert.match(dms.lab.readFile(a.name, HISTORY) ?? '', /;10\.3\.0\.0-\d+-CU10\r\n[^;]*;10\.3\.0\.0-\d+-CU5\r\n$/, a.name);
      }
    } finally {
      await dms.stop();
    }
  });

  it('asks for the CU when the Agents report a main-release build without -CUn, and takes it from from=…', async () => {
    const dms = await startDms([{ name: 'dma-01', version: '10.3.0.0-13010-20231001-release', upgradeDurationMs: 1500 }], { userPrefix: 'bkcq' });
    try {
      const base = ['plan', 'dataminer.downgrade', '--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.3.0 [CU5]', '--param', 'moduleSwap=no', '--param', 'packages=agent:C:\\Skyline DataMiner\\Upgrades\\p.dmupgrade'];
      const asked = await backout(dms, base).done;
      assert.notStrictEqual(asked.code, 0);
      assert.match(asked.stderr, /does not say which cumulative update of 10\.3\.0 the DMS runs.*Answer with from=10\.3\.0 \[CUn\]/s);
      dms.lab.placePackage('dma-01', 'C:\\Skyline DataMiner\\Upgrades\\p.dmupgrade', '10.3.0 [CU5]');
      const answered = await backout(dms, [...base, '--param', 'from=10.3.0 [CU10]', '--json']).done;
      assert.strictEqual(answered.code, 0, answered.stderr);
      assert.strictEqual((JSON.parse(answered.stdout) as { from: string }).from, '10.3.0 [CU10]');
    } finally {
      await dms.stop();
    }
  });
});
