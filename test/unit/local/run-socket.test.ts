// The run host's socket (issue 13 §2): secrets and connection questions reach the run host from whoever attached,
// checked against what was asked, never through a file; with nobody attached the run waits and says so.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunSocketClient, RunSocketServer, socketEndpoint, socketAnswerProblem, type SocketQuestion } from '../../../src/adapters/local/run-socket';

function runFolder(prefix = 'backout-sock-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o700);
  return dir;
}

/** Every byte of every regular file under `dir`. */
function allText(dir: string): string {
  let text = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) text += allText(p);
    else if (e.isFile()) text += fs.readFileSync(p, 'latin1');
  }
  return text;
}

const never = (): Promise<undefined> => new Promise(() => undefined);

describe('run socket', function () {
  this.timeout(10_000);
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function serve(location: string, notices: string[] = []): Promise<RunSocketServer> {
    const server = await RunSocketServer.listen(location, { notice: (m) => notices.push(m) });
    closers.push(() => server.close());
    return server;
  }

  it('keeps the socket of a host that resumed the run while the previous host was still closing', async () => {
    const location = runFolder();
    const finishing = await RunSocketServer.listen(location, { notice: () => undefined });
    const resumed = await serve(location);
    assert.notEqual(resumed.endpoint, finishing.endpoint, 'each host binds a socket of its own');
    await finishing.close();
    assert.equal(socketEndpoint(location), resumed.endpoint, 'the endpoint file still names the resumed host');
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(resumed.endpoint, () => {
        c.destroy();
        resolve();
      });
      c.once('error', reject);
    });
  });

  async function attach(location: string, answer: (q: SocketQuestion, signal: AbortSignal) => Promise<string | undefined>, refused: string[] = []): Promise<RunSocketClient> {
    const client = await RunSocketClient.connect(location, { by: 'ana@desk', via: 'vscode', answer, refused: (_q, p) => refused.push(p) });
    assert.ok(client, 'connected');
    closers.push(() => client.close());
    return client;
  }

  it('carries a secret from the attached client to the run host, with who answered; nothing of it reaches the run folder', async () => {
    const location = runFolder();
    const server = await serve(location);
    const secret = 'correct-horse-battery-staple-91';
    const asked: string[] = [];
    await attach(location, async (q) => {
      asked.push(`${q.kind}:${q.kind === 'secret' ? q.name : ''}`);
      return secret;
    });
    const answer = await server.ask({ kind: 'secret', title: 'Password for admin@agent-1', prompt: 'password', name: 'ssh-password:admin@agent-1:22' });
    assert.deepEqual(answer, { value: secret, by: 'ana@desk', via: 'vscode' });
    assert.deepEqual(asked, ['secret:ssh-password:admin@agent-1:22']);
    assert.ok(!allText(location).includes(secret), 'the secret is in no file of the run folder');
  });

  it('is owner-only: the socket and the file naming it are 0600 in a 0700 folder', async function () {
    if (process.platform === 'win32') this.skip();
    const old = process.umask(0o000);
    try {
      const location = runFolder();
      const server = await serve(location);
      const endpoint = socketEndpoint(location);
      assert.equal(endpoint, server.endpoint);
      assert.ok(fs.statSync(endpoint as string).isSocket());
      assert.equal(fs.statSync(endpoint as string).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(location, 'control', 'endpoint')).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(location, 'control')).mode & 0o777, 0o700);
    } finally {
      process.umask(old);
    }
  });

  it('binds in a private 0700 folder when the run folder\'s path is too long for a socket, and names it there', async function () {
    if (process.platform === 'win32') this.skip();
    const location = path.join(runFolder(), 'a'.repeat(60), 'b'.repeat(40));
    fs.mkdirSync(location, { recursive: true, mode: 0o700 });
    const server = await serve(location);
    assert.ok(!server.endpoint.startsWith(location), server.endpoint);
    assert.equal(fs.statSync(path.dirname(server.endpoint)).mode & 0o777, 0o700);
    await attach(location, async () => 'yes');
    assert.equal((await server.ask({ kind: 'confirm', title: 'Trust?', target: 'agent-1' })).value, 'yes');
    const privateDir = path.dirname(server.endpoint);
    await server.close();
    closers.pop();
    assert.equal(fs.existsSync(privateDir), false, 'the private folder goes with the run host');
    assert.equal(socketEndpoint(location), undefined);
  });

  it('with nobody attached, waits at the question and says so; one who attaches later is asked it', async () => {
    const location = runFolder();
    const notices: string[] = [];
    const server = await serve(location, notices);
    const pending = server.ask({ kind: 'pick', title: 'Unknown host key for agent-1', options: [{ value: 'accept-once', label: 'Accept once' }, { value: 'reject', label: 'Reject' }] });
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(settled, false, 'the run waits');
    assert.equal(notices.length, 1);
    assert.match(notices[0] ?? '', /nobody is attached/);
    await attach(location, async () => 'reject');
    assert.equal((await pending).value, 'reject');
  });

  it('refuses an answer that is not one of the choices, says so, and asks the person again', async () => {
    const location = runFolder();
    const notices: string[] = [];
    const server = await serve(location, notices);
    const refused: string[] = [];
    const answers = ['accept-forever', 'reject'];
    await attach(location, async () => answers.shift(), refused);
    const answer = await server.ask({ kind: 'pick', title: 'Unknown host key', options: [{ value: 'accept-once', label: 'Accept once' }, { value: 'reject', label: 'Reject' }] });
    assert.equal(answer.value, 'reject');
    assert.deepEqual(refused, ['"accept-forever" is not one of the choices']);
    assert.match(notices.join('\n'), /Refused an answer from ana@desk \(vscode\)/);
  });

  it('takes no answer from a connection that has not said who it is', async () => {
    const location = runFolder();
    const server = await serve(location);
    const pending = server.ask({ kind: 'confirm', title: 'Go on?', target: 'agent-1' });
    // The question's id is not even sent before a hello; a guessed answer closes the connection.
    const raw = net.createConnection(server.endpoint);
    await new Promise((r) => raw.once('connect', r));
    const closed = new Promise((r) => raw.once('close', r));
    raw.write(`${JSON.stringify({ t: 'answer', id: 'anything', value: 'yes' })}\n`);
    await closed;
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false);
    await attach(location, async () => 'no');
    assert.equal((await pending).value, 'no');
  });

  it('a question aborted by the run (cancelled) is withdrawn from the attached client', async () => {
    const location = runFolder();
    const server = await serve(location);
    const withdrawn: string[] = [];
    await attach(location, (q, signal) => {
      signal.addEventListener('abort', () => withdrawn.push(q.title));
      return never();
    });
    const controller = new AbortController();
    const pending = server.ask({ kind: 'secret', title: 'Passphrase', prompt: 'key' }, controller.signal);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort(new Error('cancelled'));
    await assert.rejects(pending, /cancelled/);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(withdrawn, ['Passphrase']);
  });

  it('checks answers by kind', () => {
    const pick: SocketQuestion = { id: 'q', kind: 'pick', title: 't', options: [{ value: 'a', label: 'A' }] };
    assert.equal(socketAnswerProblem(pick, 'a'), undefined);
    assert.match(socketAnswerProblem(pick, 'b') ?? '', /not one of the choices/);
    assert.equal(socketAnswerProblem(pick, undefined), undefined, 'declining is always possible');
    assert.match(socketAnswerProblem({ id: 'q', kind: 'confirm', title: 't', target: 'x' }, 'maybe') ?? '', /"yes" or "no"/);
    assert.match(socketAnswerProblem({ id: 'q', kind: 'secret', title: 't', prompt: 'p' }, '') ?? '', /empty/);
  });
});
