// The bundled `backout` command (dist/cli.js, built by `npm run build`) plans route B with packages on this machine:
// the built-in DataMiner procedure has the package tool, dist/dmupgrade-package.js, that inspects them and makes the
// VerifyNatsIsRunning copy.
import * as assert from 'assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yazl from 'yazl';
import { cliEnv, repoRoot } from '../cli/cli-process';

const dist = path.join(repoRoot, 'dist');
const cli = path.join(dist, 'cli.js');

function zip(file: string, entries: Array<[string, string | { file: string }]>): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, content] of entries) {
      if (typeof content === 'string') z.addBuffer(Buffer.from(content), name);
      else z.addFile(content.file, name);
    }
    z.outputStream.pipe(fs.createWriteStream(file)).on('close', () => resolve()).on('error', reject);
    z.end();
  });
}

/** A small .dmupgrade: a zip holding Update.zip (optionally with the NATS check) and an entry named for its build. */
async function dmupgrade(dir: string, name: string, build: string, nats: boolean): Promise<string> {
  const update = path.join(dir, `${name}.Update.zip`);
  await zip(update, [...(nats ? ([['Prerequisites/VerifyNatsIsRunning.dll', 'MZ nats']] as Array<[string, string]>) : []), ['Files/SLNet.exe', 'MZ']]);
  const file = path.join(dir, name);
  await zip(file, [['Update.zip', { file: update }], [`${build}.txt`, build]]);
  return file;
}

function backout(args: string[], home: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env: cliEnv({ HOME: home }), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface PlanJson {
  packageFiles: Array<{ source: string; revealedVersion: string | null; fixedCopy: string | null }>;
  steps: Array<{ id: string; kind: string; command: string }>;
}

describe('backout plan dataminer.downgrade with local packages (bundled dist/cli.js)', function () {
  this.timeout(60_000);
  let dir: string;

  before(function () {
    if (!fs.existsSync(cli) || !fs.existsSync(path.join(dist, 'dmupgrade-package.js'))) {
      throw new Error('dist/cli.js and dist/dmupgrade-package.js are missing: run `npm run build` first (npm test does).');
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-cli-pkg-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('inspects the package and shows the version it reveals, with its upload over SFTP', async () => {
    const pkg = await dmupgrade(dir, 'DataMiner 10.3.5.dmupgrade', '10.3.5.0-13485-20230615-release', false);
    const r = backout(['plan', 'dataminer.downgrade', '--param', 'route=package', '--param', 'from=10.3.9', '--param', 'to=10.3.5', '--param', 'moduleSwap=no', '--param', `packages=${pkg}`, '--json'], dir);
    assert.strictEqual(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as PlanJson;
    assert.deepStrictEqual(doc.packageFiles.map((p) => [p.source, p.revealedVersion]), [[pkg, '10.3.5.0-13485-20230615-release']]);
    const upload = doc.steps.find((s) => s.id === 'upload-package-p1');
    assert.strictEqual(upload?.kind, 'ssh');
    assert.match(upload?.command ?? '', /\nsftp put '.*DataMiner 10\.3\.5\.dmupgrade' → each-agent:'\/C:\/Skyline DataMiner\/Upgrades\/DataMiner 10\.3\.5\.dmupgrade'$/);
  });

  it('refuses a package that installs another version than the one its place in the sequence needs', async () => {
    const pkg = await dmupgrade(dir, 'wrong.dmupgrade', '10.2.0.0-12600-CU30', false);
    const r = backout(['plan', 'dataminer.downgrade', '--param', 'route=package', '--param', 'from=10.3.9', '--param', 'to=10.3.5', '--param', 'moduleSwap=no', '--param', `packages=${pkg}`], dir);
    assert.notStrictEqual(r.code, 0);
    assert.match(r.stderr, /it installs 10\.2\.0 \[CU30\].*must install 10\.3\.5/);
  });

  it('plans the VerifyNatsIsRunning copy with the bundled script, which writes it without the DLL', async () => {
    const pkg = await dmupgrade(dir, 'DataMiner 10.3.0 CU21.dmupgrade', '10.3.0.0-13901-CU21', true);
    // 10.4.3 and later run without SLMessageBroker.dll: the known issue applies (10.4.1 would not).
    const r = backout(['plan', 'dataminer.downgrade', '--param', 'route=package', '--param', 'from=10.4.3', '--param', 'to=10.3.0', '--param', 'moduleSwap=no', '--param', `packages=${pkg}`, '--json'], dir);
    assert.strictEqual(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as PlanJson;
    const fixed = doc.packageFiles[0]?.fixedCopy as string;
    const fix = doc.steps.find((s) => s.id === 'fix-package-p1');
    assert.ok(fix?.command.includes(`${path.join(dist, 'dmupgrade-package.js')} fix `), fix?.command);
    // Run the step's script as the run would, then read the copy back with it.
    const made = spawnSync(process.execPath, [path.join(dist, 'dmupgrade-package.js'), 'fix', pkg, fixed], { encoding: 'utf8' });
    assert.strictEqual(made.status, 0, made.stderr);
    const inspected = spawnSync(process.execPath, [path.join(dist, 'dmupgrade-package.js'), 'inspect', fixed], { encoding: 'utf8' });
    assert.strictEqual((JSON.parse(inspected.stdout) as { hasVerifyNatsIsRunning: boolean }).hasVerifyNatsIsRunning, false);
  });

  it('still runs its own commands with the package tool bundled beside it (the tool does not take over the command line)', () => {
    const r = backout(['procedures', '--json'], dir);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as Array<{ id: string }>).some((p) => p.id === 'dataminer.downgrade'));
  });
});
