import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AuthenticationFailedError } from '../../../src/adapters/ssh/errors';
import { passwordKey } from '../../../src/adapters/ssh/auth';
import { detectShell } from '../../../src/core/dataminer/windows-commands';
import { registerTeardown } from '../teardown';
import { endpointOf, labPool, ScriptedPrompter } from './helpers';
import { LAB_PASSWORD, sharedLab, tempDir } from './lab';

function keygen(file: string, passphrase: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', path.basename(file), '-f', file], { stdio: 'pipe' });
  return fs.readFileSync(file + '.pub', 'utf8').trim();
}

/** A real ssh-agent on its own socket, killed at teardown. */
async function startAgent(dir: string): Promise<string> {
  const sock = path.join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  registerTeardown(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
  return sock;
}

describe('authentication against a real sshd', () => {
  it('authenticates with a key held by a real ssh-agent', async () => {
    const lab = await sharedLab();
    const dir = tempDir('auth');
    const key = path.join(dir, 'agent_key');
    lab.authorize(keygen(key, ''));
    const sock = await startAgent(dir);
    execFileSync('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
    const pool = labPool(lab, dir, new ScriptedPrompter(), { agent: sock });
    const r = await pool.exec(endpointOf(lab, lab.agent('dma-05'), { identityFiles: [], identitiesOnly: false }), detectShell().line);
    assert.equal(r.exitCode, 0);
  });

  it('asks for the passphrase of an encrypted key through the prompter, again after a wrong one', async () => {
    const lab = await sharedLab();
    const dir = tempDir('auth');
    const key = path.join(dir, 'encrypted_key');
    lab.authorize(keygen(key, 'correct horse'));
    const prompter = new ScriptedPrompter();
    prompter.secrets = ['wrong', 'correct horse'];
    const pool = labPool(lab, dir, prompter);
    const r = await pool.exec(endpointOf(lab, lab.agent('dma-05'), { identityFiles: [key] }), detectShell().line);
    assert.equal(r.exitCode, 0);
    assert.equal(prompter.asked.filter((q) => q.kind === 'secret').length, 2);
    assert.match(prompter.asked[0]?.detail ?? '', /dma-05/);
  });

  it('waits for a passphrase answered after the handshake timeout would have fired', async () => {
    const lab = await sharedLab();
    const dir = tempDir('auth');
    const key = path.join(dir, 'slow_key');
    lab.authorize(keygen(key, 'slow answer'));
    const prompter = new ScriptedPrompter();
    const slow = Object.assign(Object.create(prompter) as ScriptedPrompter, {
      askSecret: async (q: Parameters<ScriptedPrompter['askSecret']>[0]) => {
        await new Promise((r) => setTimeout(r, 1200));
        return prompter.askSecret.call(prompter, q);
      },
    });
    prompter.secrets = ['slow answer'];
    const pool = labPool(lab, dir, slow, { readyTimeoutMs: 400 });
    const r = await pool.exec(endpointOf(lab, lab.agent('dma-05'), { identityFiles: [key] }), detectShell().line);
    assert.equal(r.exitCode, 0);
    assert.equal(prompter.asked.filter((q) => q.kind === 'secret').length, 1);
  });

  it('uses the password from the secret store when no key works', async () => {
    const lab = await sharedLab();
    const dir = tempDir('auth');
    const agent = lab.agent('dma-05');
    const asked: string[] = [];
    const secrets = { get: async (k: string) => (asked.push(k), k === passwordKey({ host: agent.host, port: agent.port, user: agent.user, identityFiles: [], identitiesOnly: true }) ? LAB_PASSWORD : undefined) };
    const pool = labPool(lab, dir, new ScriptedPrompter(), { secrets });
    const r = await pool.exec(endpointOf(lab, agent, { identityFiles: [] }), detectShell().line);
    assert.equal(r.exitCode, 0);
    assert.equal(asked.length, 1);
  });

  it('fails with what was tried when nothing authenticates', async () => {
    const lab = await sharedLab();
    const dir = tempDir('auth');
    const stranger = path.join(dir, 'stranger');
    keygen(stranger, '');
    const pool = labPool(lab, dir);
    const err = await pool.exec(endpointOf(lab, lab.agent('dma-05'), { identityFiles: [stranger] }), detectShell().line).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof AuthenticationFailedError, String(err));
    assert.deepEqual(err.tried, [`key ${stranger}`]);
    assert.match(err.message, /Agent dma-05 \(127\.0\.0\.1:\d+\)/);
  });
});
