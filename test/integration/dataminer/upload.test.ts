// Uploading a package to an Agent through the engine's SSH executor, against a real sshd of the Agent lab: the same
// connection, host-key check and credentials as commands; progress in the step log; stopped by cancellation.
import * as assert from 'assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yazl from 'yazl';
import type { SshAction } from '../../../src/core/plan';
import type { ExecutionRequest } from '../../../src/core/ports';
import { createSshExecutor, UploadSourceError, type SshExecutor } from '../../../src/adapters/ssh/executor';
import { HostKeyUnknownError, UploadFailedError } from '../../../src/adapters/ssh/errors';
import { fileLength, fileLengthPattern } from '../../../src/procedures/dataminer/file-length';
import { sftpPath } from '../../../src/core/dataminer/windows-commands';
import { refuseAll, startDms, target, type DmsLab } from './dms-lab';

const UPGRADES = 'C:\\Skyline DataMiner\\Upgrades';

/** A .dmupgrade-shaped zip of `mb` MiB of incompressible content (stored), so the transfer takes some time. */
function writePackage(file: string, mb: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    z.addBuffer(crypto.randomBytes(mb * 1024 * 1024), 'Update.zip', { compress: false });
    z.addBuffer(Buffer.from('10.3.5.0-13485-20230615-release'), '10.3.5.0-13485-20230615-release.txt');
    z.outputStream.pipe(fs.createWriteStream(file)).on('close', () => resolve()).on('error', reject);
    z.end();
  });
}

const sha = (f: string): string => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

function request(action: SshAction, signal: AbortSignal, onLine?: (text: string) => void): { req: ExecutionRequest<SshAction>; lines: string[] } {
  const lines: string[] = [];
  const output = {
    line: (_s: 'stdout' | 'stderr' | 'info', t: string): void => {
      lines.push(t);
      onLine?.(t);
    },
  };
  return { req: { action, target, step: 'upload-package-p1', instance: action.host, signal, output }, lines };
}

describe('uploading a package through the SSH executor (Agent lab)', function () {
  this.timeout(120_000);
  let dms: DmsLab;
  let executor: SshExecutor;
  let work: string;
  let pkg: string;

  const onAgent = (name: string): string => path.join(dms.lab.agent('dma-01').dir, 'C', 'Skyline DataMiner', 'Upgrades', name);
  const executorWith = (knownHosts: string): SshExecutor =>
    createSshExecutor({
      prompter: refuseAll,
      agent: null,
      sshConfig: { configFile: path.join(dms.home, '.ssh', 'config'), homeDir: dms.home },
      userKnownHostsFiles: [knownHosts],
      backoutKnownHostsFile: path.join(work, `backout_known_hosts-${path.basename(knownHosts)}`),
    });

  before(async () => {
    // Users of its own, so this suite can run alongside the other lab suites.
    dms = await startDms([{ name: 'dma-01', version: '10.3.9' }], { userPrefix: 'bkupl' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-upload-'));
    pkg = path.join(work, 'DataMiner 10.3.5.dmupgrade');
    await writePackage(pkg, 24);
    // Only the lab's own host keys are trusted, and the prompter refuses any other: every upload here is verified.
    executor = executorWith(path.join(dms.home, '.ssh', 'known_hosts'));
  });
  after(async () => {
    await executor?.close();
    await dms?.stop();
    if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
  });

  it('sends a real package byte for byte to the Agent path, logging progress every 10 % and the end', async () => {
    const remote = `${UPGRADES}\\DataMiner 10.3.5.dmupgrade`;
    const action: SshAction = { kind: 'ssh', host: 'dma-01', command: '', upload: { localPath: pkg, remotePath: sftpPath(remote) } };
    const { req, lines } = request(action, new AbortController().signal);
    const r = await executor.execute(req);
    assert.strictEqual(r.exitCode, 0);
    assert.strictEqual(sha(onAgent('DataMiner 10.3.5.dmupgrade')), sha(pkg), 'the file on the Agent equals the package');
    assert.ok(!fs.existsSync(onAgent('DataMiner 10.3.5.dmupgrade.partial')), 'no temporary file is left behind');
    const progress = lines.filter((l) => /^uploaded \d+ % to dma-01/.test(l)).map((l) => Number(/^uploaded (\d+)/.exec(l)?.[1]));
    assert.deepStrictEqual(progress, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.match(lines[0] ?? '', /^sftp put .*DataMiner 10\.3\.5\.dmupgrade' → dma-01:'\/C:\/Skyline DataMiner\/Upgrades\/DataMiner 10\.3\.5\.dmupgrade' \(24\.0 MiB\)$/);
    assert.match(lines[lines.length - 1] ?? '', /is complete on dma-01/);
    // The plan's verification of the upload step passes against what arrived.
    const check = request({ kind: 'ssh', host: 'dma-01', command: fileLength(remote, 'cmd').line }, new AbortController().signal);
    assert.strictEqual((await executor.execute(check.req)).exitCode, 0);
    assert.match(check.lines.join('\n'), new RegExp(fileLengthPattern('DataMiner 10.3.5.dmupgrade', fs.statSync(pkg).size), 'm'));
  });

  it('sends it again over the same file without harm (the step is idempotent)', async () => {
    const action: SshAction = { kind: 'ssh', host: 'dma-01', command: '', upload: { localPath: pkg, remotePath: sftpPath(`${UPGRADES}\\again.dmupgrade`) } };
    for (let i = 0; i < 2; i++) assert.strictEqual((await executor.execute(request(action, new AbortController().signal).req)).exitCode, 0);
    assert.strictEqual(sha(onAgent('again.dmupgrade')), sha(pkg));
  });

  it('runs the preparing command first and does not upload when it fails', async () => {
    const action: SshAction = { kind: 'ssh', host: 'dma-01', command: 'nosuchprogram', upload: { localPath: pkg, remotePath: sftpPath(`${UPGRADES}\\not-sent.dmupgrade`) } };
    const r = await executor.execute(request(action, new AbortController().signal).req);
    assert.notStrictEqual(r.exitCode, 0);
    assert.ok(!fs.existsSync(onAgent('not-sent.dmupgrade')));
  });

  it('stops when the step is cancelled, leaving no file under the final name', async () => {
    const controller = new AbortController();
    const action: SshAction = { kind: 'ssh', host: 'dma-01', command: '', upload: { localPath: pkg, remotePath: sftpPath(`${UPGRADES}\\cancelled.dmupgrade`) } };
    // Cancel as soon as the first tenth has gone: the rest must not be sent.
    const { req, lines } = request(action, controller.signal, (t) => {
      if (/^uploaded 10 %/.test(t)) controller.abort(new Error('cancelled by test'));
    });
    const started = Date.now();
    await assert.rejects(executor.execute(req), (err: unknown) => err instanceof UploadFailedError && /Agent dma-01/.test(err.message) && /cancelled/.test(err.message));
    assert.ok(Date.now() - started < 15_000);
    assert.ok(!lines.some((l) => /^uploaded 100 %/.test(l)), 'the transfer did not run to the end');
    assert.ok(!fs.existsSync(onAgent('cancelled.dmupgrade')), 'no complete-looking file on the Agent');
    // The pool is still usable afterwards.
    const again = await executor.execute(request({ ...action, upload: { localPath: pkg, remotePath: sftpPath(`${UPGRADES}\\after-cancel.dmupgrade`) } }, new AbortController().signal).req);
    assert.strictEqual(again.exitCode, 0);
  });

  it('refuses to upload to an Agent whose host key is not known, and sends nothing', async () => {
    const emptyKnownHosts = path.join(work, 'empty_known_hosts');
    fs.writeFileSync(emptyKnownHosts, '');
    const stranger = executorWith(emptyKnownHosts);
    try {
      const action: SshAction = { kind: 'ssh', host: 'dma-01', command: '', upload: { localPath: pkg, remotePath: sftpPath(`${UPGRADES}\\unverified.dmupgrade`) } };
      await assert.rejects(stranger.execute(request(action, new AbortController().signal).req), (err: unknown) => err instanceof HostKeyUnknownError && /dma-01/.test(err.message));
      assert.ok(!fs.existsSync(onAgent('unverified.dmupgrade')));
      assert.ok(!fs.existsSync(onAgent('unverified.dmupgrade.partial')));
    } finally {
      await stranger.close();
    }
  });

  it('fails naming the Agent and the remote path when the Agent cannot take the file', async () => {
    const action: SshAction = { kind: 'ssh', host: 'dma-01', command: '', upload: { localPath: pkg, remotePath: sftpPath('C:\\No Such Folder\\x.dmupgrade') } };
    await assert.rejects(
      executor.execute(request(action, new AbortController().signal).req),
      (err: unknown) => err instanceof UploadFailedError && /^Agent dma-01.*uploading .* to \/C:\/No Such Folder\/x\.dmupgrade failed/.test(err.message),
    );
  });

  it('names the Agent and the missing local file when the package is not there', async () => {
    const action: SshAction = { kind: 'ssh', host: 'dma-01', command: '', upload: { localPath: path.join(work, 'gone.dmupgrade'), remotePath: sftpPath(`${UPGRADES}\\gone.dmupgrade`) } };
    await assert.rejects(executor.execute(request(action, new AbortController().signal).req), (err: unknown) => err instanceof UploadSourceError && /^Agent dma-01.*gone\.dmupgrade, cannot be read \(ENOENT\); nothing was sent/.test(err.message));
  });
});
