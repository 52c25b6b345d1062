import * as assert from 'node:assert/strict';
import { alive } from '../../../lab/agent/sshd';
import { CommandCancelledError, CommandTimeoutError, ConnectionLostError } from '../../../src/adapters/ssh/errors';
import { DEFAULT_AGENT_PATHS, readVersionHistory, listInstalledPrograms } from '../../../src/core/dataminer/windows-commands';
import { endpointOf, labPool, MemorySink } from './helpers';
import { sharedLab, tempDir } from './lab';
import type { AgentLab } from '../../../lab/agent/lab';

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function hungPid(lab: AgentLab, agent: string, after: number): number | undefined {
  const rec = lab.calls(agent).slice(after).find((c) => c['fault'] === 'hang');
  return rec === undefined ? undefined : Number(rec['pid']);
}

describe('stopping remote commands on a real sshd', () => {
  afterEach(async () => {
    // Faults never outlive their test, even a failed one: the lab is shared by the other suites.
    const lab = await sharedLab();
    for (const name of ['dma-06', 'dma-07', 'dma-20']) lab.setFaults(name, {});
  });

  it('cancels a hanging command run with a PTY, and the remote process is gone', async () => {
    const lab = await sharedLab();
    lab.setFaults('dma-06', { hang: 'VersionHistory' });
    const pool = labPool(lab, tempDir('cancel'));
    const before = lab.calls('dma-06').length;
    const ac = new AbortController();
    const run = pool.exec(endpointOf(lab, lab.agent('dma-06')), readVersionHistory(DEFAULT_AGENT_PATHS, 'cmd').line, { pty: true, signal: ac.signal });
    const pid = await waitFor('the hanging command to start', () => hungPid(lab, 'dma-06', before));
    assert.equal(alive(pid), true);
    ac.abort();
    const err = await run.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof CommandCancelledError, String(err));
    assert.equal(err.stopped, true);
    await waitFor('the remote process to end', () => (alive(pid) ? undefined : true));
  });

  it('times out a hanging command run with a PTY and stops it', async () => {
    const lab = await sharedLab();
    lab.setFaults('dma-06', { hang: 'VersionHistory' });
    const pool = labPool(lab, tempDir('cancel'));
    const before = lab.calls('dma-06').length;
    const err = await pool
      .exec(endpointOf(lab, lab.agent('dma-06')), readVersionHistory(DEFAULT_AGENT_PATHS, 'cmd').line, { pty: true, timeoutMs: 1500 })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof CommandTimeoutError, String(err));
    assert.equal(err.stopped, true);
    const pid = hungPid(lab, 'dma-06', before);
    assert.ok(pid !== undefined);
    await waitFor('the remote process to end', () => (alive(pid) ? undefined : true));
  });

  it('fails a command whose connection drops mid-command, without re-running it', async () => {
    const lab = await sharedLab();
    lab.setFaults('dma-07', { drop: 'VersionHistory' });
    const pool = labPool(lab, tempDir('drop'));
    const before = lab.calls('dma-07').length;
    const err = await pool.exec(endpointOf(lab, lab.agent('dma-07')), readVersionHistory(DEFAULT_AGENT_PATHS, 'cmd').line).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ConnectionLostError, String(err));
    assert.match(err.message, /may or may not have completed/);
    assert.equal(lab.calls('dma-07').slice(before).filter((c) => c['fault'] === 'drop').length, 1);
  });

  it('re-runs an idempotent command once on a new connection after a drop', async () => {
    const lab = await sharedLab();
    lab.setFaults('dma-07', { drop: 'VersionHistory' });
    const pool = labPool(lab, tempDir('drop'));
    const sink = new MemorySink();
    const before = lab.calls('dma-07').length;
    await assert.rejects(pool.exec(endpointOf(lab, lab.agent('dma-07')), readVersionHistory(DEFAULT_AGENT_PATHS, 'cmd').line, { idempotent: true, sink }), ConnectionLostError);
    assert.equal(lab.calls('dma-07').slice(before).filter((c) => c['fault'] === 'drop').length, 2);
    assert.equal(sink.text('info').length, 1);
    // the pool recovers: the next command opens a new connection
    const r = await pool.exec(endpointOf(lab, lab.agent('dma-07')), listInstalledPrograms('cmd').line);
    assert.equal(r.exitCode, 0);
  });

  it('times out an Agent that answers too slowly', async () => {
    const lab = await sharedLab();
    lab.setFaults('dma-20', { slowMs: 10_000 });
    const pool = labPool(lab, tempDir('slow'));
    const err = await pool
      .exec(endpointOf(lab, lab.agent('dma-20')), listInstalledPrograms('cmd').line, { pty: true, timeoutMs: 1000 })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof CommandTimeoutError, String(err));
    assert.match(err.message, /did not finish within 1 s and was stopped/);
  });

  it('reports the nth failing operation with its Windows error text', async () => {
    const lab = await sharedLab();
    lab.setFaults('dma-07', { failNth: { nth: 2, exitCode: 5, stderr: 'Access is denied.' } });
    const pool = labPool(lab, tempDir('fail'));
    const e = endpointOf(lab, lab.agent('dma-07'));
    const line = listInstalledPrograms('cmd').line;
    assert.equal((await pool.exec(e, line)).exitCode, 0);
    const second = await pool.exec(e, line);
    assert.equal(second.exitCode, 5);
    assert.equal(second.stderr, 'Access is denied.');
    assert.equal((await pool.exec(e, line)).exitCode, 0);
  });
});
