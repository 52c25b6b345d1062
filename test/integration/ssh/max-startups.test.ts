// sshd's MaxStartups on a real server: connections beyond it are dropped before the handshake. The pool retries
// those (nothing was sent), and staggering connection setups keeps below the limit in the first place.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentLab, startLab } from '../../../lab/agent/lab';
import { detectShell } from '../../../src/core/dataminer/windows-commands';
import { registerTeardown } from '../teardown';
import { endpointOf, labPool } from './helpers';
import { tempDir } from './lab';

let lab: Promise<AgentLab> | undefined;
/** One Agent whose sshd starts dropping unauthenticated connections at 2 (MaxStartups 2:100:2). */
function strictLab(): Promise<AgentLab> {
  lab ??= startLab({ agents: [{ name: 'dma-strict', version: '10.3.9' }], userPrefix: 'bkms', sshd: { maxStartups: '2:100:2' } }).then((l) => {
    registerTeardown(() => l.stop());
    return l;
  });
  return lab;
}

function drops(l: AgentLab): number {
  const log = fs.readFileSync(path.join(l.agent('dma-strict').dir, 'sshd', 'sshd.log'), 'utf8');
  return (log.match(/past MaxStartups/g) ?? []).length;
}

describe('MaxStartups on a real sshd', () => {
  it('retries connections the server dropped past MaxStartups, and every command runs once', async () => {
    const l = await strictLab();
    const before = drops(l);
    const calls = l.calls('dma-strict').length;
    const pool = labPool(l, tempDir('startups'), undefined, { maxConnectionsPerHost: 8, maxChannelsPerConnection: 1, maxConcurrentHandshakes: 8, attempts: 12, backoffMs: 40 });
    const results = await Promise.all(Array.from({ length: 8 }, () => pool.exec(endpointOf(l, l.agent('dma-strict')), detectShell().line)));
    assert.ok(results.every((r) => r.stdout.trim() === 'Windows_NT'));
    assert.equal(pool.stats().connectionsOpened, 8);
    assert.ok(drops(l) > before, 'the server dropped connections past MaxStartups');
    assert.equal(l.calls('dma-strict').length - calls, 8);
  });

  it('stays below MaxStartups when connection setups are staggered', async () => {
    const l = await strictLab();
    const before = drops(l);
    const pool = labPool(l, tempDir('startups'), undefined, { maxConnectionsPerHost: 8, maxChannelsPerConnection: 1, maxConcurrentHandshakes: 1, attempts: 1 });
    const results = await Promise.all(Array.from({ length: 8 }, () => pool.exec(endpointOf(l, l.agent('dma-strict')), detectShell().line)));
    assert.ok(results.every((r) => r.exitCode === 0));
    assert.equal(drops(l), before);
  });
});
