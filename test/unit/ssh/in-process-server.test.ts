// What Linux cannot produce but Windows OpenSSH does — exit codes above 255, CRLF output — and server behaviour that
// is hard to provoke on a real sshd (dropping before the handshake as MaxStartups does, a connection lost mid-command),
// against ssh2's own Server class in this process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Server, utils } from 'ssh2';
import type { ServerChannel } from 'ssh2';
import type { LineSink, PickRequest, Prompter } from '../../../src/core/ports';
import { ConnectionLostError, ConnectionThrottledError } from '../../../src/adapters/ssh/errors';
import { HostKeyVerifier } from '../../../src/adapters/ssh/host-key';
import { SshPool } from '../../../src/adapters/ssh/pool';
import type { AgentEndpoint } from '../../../src/adapters/ssh/endpoint';

const prompter: Prompter = {
  confirm: async () => false,
  typeToConfirm: async () => false,
  askSecret: async () => undefined,
  pick: async <T extends string>(q: PickRequest<T>) => q.options.find((o) => o.value === 'once')?.value,
};

type Handler = (command: string, channel: ServerChannel) => void;

async function startServer(handle: Handler): Promise<{ port: number; close: () => Promise<void> }> {
  const hostKey = utils.generateKeyPairSync('ed25519').private;
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'password' && ctx.password === 'pw' ? ctx.accept() : ctx.reject(['password'])));
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => handle(info.command, acceptExec()));
      });
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

class Lines implements LineSink {
  readonly got: Array<[string, string]> = [];
  line(stream: string, text: string): void {
    this.got.push([stream, text]);
  }
}

function pool(dir: string): SshPool {
  return new SshPool({
    hostKeys: new HostKeyVerifier({ userKnownHostsFiles: [], backoutKnownHostsFile: path.join(dir, 'kh'), prompter }),
    prompter,
    agent: null,
    defaultIdentityFiles: [],
    secrets: { get: async () => 'pw' },
    backoffMs: 5,
  });
}

const endpoint = (port: number): AgentEndpoint => ({ name: 'win-01', host: '127.0.0.1', port, user: 'Administrator', identityFiles: [], identitiesOnly: true, jumps: [] });

describe('exec against an in-process SSH server standing in for Windows OpenSSH', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-ssh-unit-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const code of [1605, 3010, 0xc0000005]) {
    it(`returns the full 32-bit exit code ${code}`, async () => {
      const srv = await startServer((_cmd, ch) => {
        ch.exit(code);
        ch.end();
      });
      const p = pool(dir);
      try {
        const r = await p.exec(endpoint(srv.port), 'msiexec');
        assert.equal(r.exitCode, code);
      } finally {
        await p.close();
        await srv.close();
      }
    });
  }

  it('splits CRLF output into lines, keeps stderr apart, and delivers lines before the command ends', async () => {
    const srv = await startServer((_cmd, ch) => {
      ch.write('first line\r\nsecond ');
      setTimeout(() => {
        ch.write('line\r\n');
        ch.stderr.write('Access is denied.\r\n');
      }, 50);
      setTimeout(() => {
        ch.write('no newline at end');
        ch.exit(0);
        ch.end();
      }, 300);
    });
    const p = pool(dir);
    const sink = new Lines();
    try {
      const pending = p.exec(endpoint(srv.port), 'x', { sink });
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(sink.got.slice(0, 2), [
        ['stdout', 'first line'],
        ['stdout', 'second line'],
      ]);
      const r = await pending;
      assert.deepEqual(sink.got, [
        ['stdout', 'first line'],
        ['stdout', 'second line'],
        ['stderr', 'Access is denied.'],
        ['stdout', 'no newline at end'],
      ]);
      assert.equal(r.stdout, 'first line\nsecond line\nno newline at end');
      assert.equal(r.stderr, 'Access is denied.');
    } finally {
      await p.close();
      await srv.close();
    }
  });

  it('keeps at most captureBytes of output in the result while the sink still sees every line', async () => {
    const srv = await startServer((_cmd, ch) => {
      for (let i = 0; i < 1000; i++) ch.write(`line ${i}\r\n`);
      ch.exit(0);
      ch.end();
    });
    const p = pool(dir);
    const sink = new Lines();
    try {
      const r = await p.exec(endpoint(srv.port), 'x', { sink, captureBytes: 100 });
      assert.equal(sink.got.length, 1000);
      assert.equal(r.truncated, true);
      assert.ok(r.stdout.length <= 110);
    } finally {
      await p.close();
      await srv.close();
    }
  });

  it('fails a command whose connection is cut with ConnectionLostError', async () => {
    let sockets: net.Socket[] = [];
    const srv = await startServer((_cmd, ch) => {
      ch.write('working...\r\n');
      setTimeout(() => sockets.forEach((s) => s.destroy()), 50);
    });
    // A TCP relay in front of the server lets the test cut the connection.
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(srv.port, '127.0.0.1');
      sockets.push(inbound, outbound);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const p = pool(dir);
    try {
      await assert.rejects(p.exec(endpoint((relay.address() as net.AddressInfo).port), 'SLTaskbarUtility -upgrade'), (err: unknown) => {
        assert.ok(err instanceof ConnectionLostError);
        assert.match(err.message, /^Agent win-01 \(127\.0\.0\.1:\d+\): the connection was lost while running "SLTaskbarUtility -upgrade"/);
        return true;
      });
    } finally {
      sockets = [];
      await p.close();
      relay.close();
      await srv.close();
    }
  });

  it('reports connections dropped before the handshake (MaxStartups) as throttling after retrying', async () => {
    let accepted = 0;
    const dropper = net.createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', () => r()));
    const p = pool(dir);
    try {
      const err = await p.exec(endpoint((dropper.address() as net.AddressInfo).port), 'x').then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof ConnectionThrottledError, String(err));
      assert.equal(err.attempts, 6);
      assert.equal(accepted, 6);
      assert.match(err.message, /MaxStartups/);
    } finally {
      await p.close();
      dropper.close();
    }
  });
});
