import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostKeyChangedError, HostKeyRevokedError, HostKeyUnknownError } from '../../../src/adapters/ssh/errors';
import { HostKeyVerifier } from '../../../src/adapters/ssh/host-key';
import { formatEntry } from '../../../src/adapters/ssh/known-hosts';
import type { PickRequest } from '../../../src/core/ports';
import { SshPool } from '../../../src/adapters/ssh/pool';
import { resolveHost } from '../../../src/adapters/ssh/ssh-config';
import { detectShell } from '../../../src/core/dataminer/windows-commands';
import { registerTeardown } from '../teardown';
import { endpointOf, ScriptedPrompter } from './helpers';
import { sharedLab, tempDir } from './lab';

function poolWith(userKnownHosts: string[], backoutFile: string, prompter: ScriptedPrompter): SshPool {
  const pool = new SshPool({
    hostKeys: new HostKeyVerifier({ userKnownHostsFiles: userKnownHosts, backoutKnownHostsFile: backoutFile, prompter }),
    prompter,
    agent: null,
    defaultIdentityFiles: [],
    promptForPassword: false,
  });
  registerTeardown(() => pool.close());
  return pool;
}

const keyBlob = (publicLine: string): Buffer => Buffer.from(publicLine.split(/\s+/)[1] as string, 'base64');

describe('host key verification against a real sshd', () => {
  it('asks about an unknown key with its SHA256 fingerprint and remembers it hashed when trusted', async () => {
    const lab = await sharedLab();
    const agent = lab.agent('dma-03');
    const dir = tempDir('hk');
    const backout = path.join(dir, 'backout_known_hosts');
    const prompter = new ScriptedPrompter();
    prompter.picks = ['remember'];
    const r = await poolWith([path.join(dir, 'none')], backout, prompter).exec(endpointOf(lab, agent), detectShell().line);
    assert.equal(r.exitCode, 0);
    assert.equal(prompter.asked.length, 1);
    assert.match(prompter.asked[0]?.detail ?? '', new RegExp(agent.hostKeyFingerprint.replace(/[+/]/g, '\\$&')));
    const saved = fs.readFileSync(backout, 'utf8');
    assert.match(saved, /^\|1\|[^ ]+ ssh-ed25519 /);

    const again = new ScriptedPrompter();
    await poolWith([path.join(dir, 'none')], backout, again).exec(endpointOf(lab, agent), detectShell().line);
    assert.equal(again.asked.length, 0, 'a remembered key is not asked about again');
  });

  it('trusts a key once without writing it when the user chooses so', async () => {
    const lab = await sharedLab();
    const dir = tempDir('hk');
    const backout = path.join(dir, 'backout_known_hosts');
    const prompter = new ScriptedPrompter();
    prompter.picks = ['once'];
    const r = await poolWith([], backout, prompter).exec(endpointOf(lab, lab.agent('dma-03')), detectShell().line);
    assert.equal(r.exitCode, 0);
    assert.equal(fs.existsSync(backout), false);
  });

  it('waits for a host key answer given after the handshake timeout would have fired', async () => {
    const lab = await sharedLab();
    const dir = tempDir('hk');
    const prompter = new ScriptedPrompter();
    const slow = Object.assign(Object.create(prompter) as ScriptedPrompter, {
      pick: async <T extends string>(q: PickRequest<T>) => {
        await new Promise((r) => setTimeout(r, 1200));
        return prompter.pick.call(prompter, q) as Promise<T | undefined>;
      },
    });
    prompter.picks = ['once'];
    const pool = new SshPool({
      hostKeys: new HostKeyVerifier({ userKnownHostsFiles: [], backoutKnownHostsFile: path.join(dir, 'b'), prompter: slow }),
      prompter: slow,
      agent: null,
      defaultIdentityFiles: [],
      promptForPassword: false,
      readyTimeoutMs: 400,
    });
    registerTeardown(() => pool.close());
    const r = await pool.exec(endpointOf(lab, lab.agent('dma-03')), detectShell().line);
    assert.equal(r.exitCode, 0);
    assert.equal(prompter.asked.length, 1);
  });

  it('still times out a handshake that stalls without any prompt open', async () => {
    const net = await import('node:net');
    // A server that accepts the TCP connection and never says a word (no SSH banner).
    const accepted: import('node:net').Socket[] = [];
    // It reads (and ignores) what arrives: a socket nobody reads never sees the client's end, and the server's
    // close() would then wait for it forever.
    const silent = net.createServer((s) => {
      accepted.push(s);
      s.resume();
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    registerTeardown(() => {
      for (const s of accepted) s.destroy();
      return new Promise<void>((r) => silent.close(() => r()));
    });
    const port = (silent.address() as { port: number }).port;
    const lab = await sharedLab();
    const prompter = new ScriptedPrompter();
    const pool = new SshPool({ hostKeys: new HostKeyVerifier({ userKnownHostsFiles: [], backoutKnownHostsFile: path.join(tempDir('hk'), 'b'), prompter }), prompter, agent: null, defaultIdentityFiles: [], promptForPassword: false, readyTimeoutMs: 300 });
    registerTeardown(() => pool.close());
    const started = Date.now();
    await assert.rejects(pool.exec(endpointOf(lab, lab.agent('dma-03'), { port }), detectShell().line), /no authenticated session within/);
    assert.ok(Date.now() - started < 5000, 'the timeout applies when nobody is being asked');
    // The abandoned attempt's TCP connection is closed, not left holding a slot on the server.
    assert.equal(accepted.length, 1);
    const conn = accepted[0];
    if (!conn.destroyed) await new Promise<void>((r) => conn.once('close', () => r()));
    assert.ok(conn.destroyed);
  });

  it('refuses an unknown key the user rejects, before authenticating', async () => {
    const lab = await sharedLab();
    const before = lab.calls('dma-03').length;
    const prompter = new ScriptedPrompter();
    prompter.picks = ['reject'];
    await assert.rejects(poolWith([], path.join(tempDir('hk'), 'k'), prompter).exec(endpointOf(lab, lab.agent('dma-03')), detectShell().line), HostKeyUnknownError);
    assert.equal(lab.calls('dma-03').length, before);
  });

  it('stops on a changed key, naming the expected and received fingerprints, without asking', async () => {
    const lab = await sharedLab();
    const agent = lab.agent('dma-04');
    const dir = tempDir('hk');
    const known = path.join(dir, 'known_hosts');
    fs.writeFileSync(known, `[127.0.0.1]:${agent.port} ${agent.hostKeyPublic.split(' ').slice(0, 2).join(' ')}\n`);
    const oldFingerprint = agent.hostKeyFingerprint;
    await lab.regenerateHostKey('dma-04');
    const prompter = new ScriptedPrompter();
    const err = await poolWith([known], path.join(dir, 'b'), prompter)
      .exec(endpointOf(lab, lab.agent('dma-04')), detectShell().line)
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof HostKeyChangedError, String(err));
    assert.deepEqual(err.expected, [oldFingerprint]);
    assert.equal(err.received, lab.agent('dma-04').hostKeyFingerprint);
    assert.match(err.message, /dma-04 \(127\.0\.0\.1:\d+\)/);
    assert.match(err.message, new RegExp(known.replace(/[.]/g, '\\.')));
    assert.equal(prompter.asked.length, 0);
  });

  for (const hashed of [true, false]) {
    it(`keeps a changed key "changed" when an alias says HostName LOCALHOST (${hashed ? 'hashed' : 'plain'} entry for localhost)`, async () => {
      const lab = await sharedLab();
      const agent = lab.agent('dma-06');
      const home = tempDir('hk');
      fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
      fs.writeFileSync(path.join(home, '.ssh', 'config'), ['Host upper-alias', '  HostName LOCALHOST', `  Port ${agent.port}`, `  User ${agent.user}`, `  IdentityFile ${lab.clientKeyPath}`, ''].join('\n'));
      // OpenSSH lowercases the name before hashing it, so its known_hosts holds `[localhost]:port` — here with another key.
      const known = path.join(home, '.ssh', 'known_hosts');
      fs.writeFileSync(known, `${formatEntry(`[localhost]:${agent.port}`, keyBlob(lab.agent('dma-05').hostKeyPublic), hashed)}\n`);
      const prompter = new ScriptedPrompter();
      prompter.picks = ['once'];
      const err = await poolWith([known], path.join(home, 'b'), prompter)
        .exec(resolveHost('upper-alias', { homeDir: home }), detectShell().line)
        .then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof HostKeyChangedError, `expected a changed key, got ${String(err)}`);
      assert.equal(prompter.asked.length, 0, 'a changed key is never offered for trust');
    });
  }

  it('stops on a key marked @revoked even when another line trusts it', async () => {
    const lab = await sharedLab();
    const agent = lab.agent('dma-03');
    const dir = tempDir('hk');
    const known = path.join(dir, 'known_hosts');
    const blob = keyBlob(agent.hostKeyPublic);
    fs.writeFileSync(known, `${formatEntry(`[127.0.0.1]:${agent.port}`, blob, true)}\n@revoked * ${agent.hostKeyPublic.split(' ').slice(0, 2).join(' ')}\n`);
    await assert.rejects(poolWith([known], path.join(dir, 'b'), new ScriptedPrompter()).exec(endpointOf(lab, agent), detectShell().line), HostKeyRevokedError);
  });

  it('accepts hashed entries and skips @cert-authority and malformed lines', async () => {
    const lab = await sharedLab();
    const agent = lab.agent('dma-03');
    const dir = tempDir('hk');
    const known = path.join(dir, 'known_hosts');
    const blob = keyBlob(agent.hostKeyPublic);
    fs.writeFileSync(
      known,
      [
        '# comment',
        `@cert-authority *.example.com ${agent.hostKeyPublic.split(' ').slice(0, 2).join(' ')}`,
        'garbage line without key',
        '@unknown-marker host ssh-ed25519 AAAA',
        formatEntry(`[127.0.0.1]:${agent.port}`, blob, true),
      ].join('\n'),
    );
    const prompter = new ScriptedPrompter();
    const r = await poolWith([known], path.join(dir, 'b'), prompter).exec(endpointOf(lab, agent), detectShell().line);
    assert.equal(r.exitCode, 0);
    assert.equal(prompter.asked.length, 0);
  });
});
