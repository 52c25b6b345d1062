import * as assert from 'node:assert/strict';
import { gatherAgentFacts } from '../../../src/adapters/ssh/agent-facts';
import { listInstalledPrograms } from '../../../src/core/dataminer/windows-commands';
import { endpointOf, labPool } from './helpers';
import { AGENT_COUNT, sharedLab, tempDir } from './lab';

describe('many Agents and many channels at once', () => {
  it('gathers facts from 20 Agents at once: reachable, version from VersionHistory.txt, module versions', async () => {
    const lab = await sharedLab();
    const pool = labPool(lab, tempDir('fan'));
    const facts = await Promise.all(lab.agents.map((a) => gatherAgentFacts(pool, endpointOf(lab, a))));
    assert.equal(facts.length, AGENT_COUNT);
    for (const [i, f] of facts.entries()) {
      const truth = lab.state(lab.agents[i]?.name ?? '');
      assert.equal(f.reachable, true, f.error);
      assert.equal(f.version?.build, truth.build);
      assert.equal(f.shell, truth.defaultShell);
      assert.deepEqual(
        f.modules?.map((m) => `${m.module} ${m.version}`),
        truth.programs.filter((p) => p.name.startsWith('DataMiner ')).map((p) => `${p.name} ${p.version}`).sort(),
      );
      assert.equal(f.installers?.length, 4);
      assert.match(f.taskbarUtility ?? '', /Program Files \(x86\)/);
    }
    assert.ok(pool.stats().connectionsOpened <= AGENT_COUNT * 2);
  });

  it('runs 24 commands at once on one Agent within sshd MaxSessions, on at most two connections', async () => {
    const lab = await sharedLab();
    const pool = labPool(lab, tempDir('fan'));
    const e = endpointOf(lab, lab.agent('dma-10'));
    const results = await Promise.all(Array.from({ length: 24 }, () => pool.exec(e, listInstalledPrograms('cmd').line)));
    assert.ok(results.every((r) => r.exitCode === 0));
    assert.ok(pool.stats().connectionsOpened <= 2);
  });

  it('recovers when configured above the server MaxSessions: refused channels are retried, nothing runs twice', async () => {
    const lab = await sharedLab();
    const pool = labPool(lab, tempDir('fan'), undefined, { maxChannelsPerConnection: 14, maxConnectionsPerHost: 1 });
    const e = endpointOf(lab, lab.agent('dma-11'));
    const before = lab.calls('dma-11').length;
    const results = await Promise.all(Array.from({ length: 14 }, () => pool.exec(e, listInstalledPrograms('cmd').line)));
    assert.ok(results.every((r) => r.exitCode === 0));
    assert.equal(lab.calls('dma-11').length - before, 14);
    assert.ok(pool.stats().channelRefusals > 0, 'the server refused channels beyond its MaxSessions');
  });

  it('reports an unreachable Agent as not reachable, with the reason', async () => {
    const lab = await sharedLab();
    const pool = labPool(lab, tempDir('fan'));
    const f = await gatherAgentFacts(pool, { ...endpointOf(lab, lab.agent('dma-12')), name: 'dma-gone', port: 1 });
    assert.equal(f.reachable, false);
    assert.match(f.error ?? '', /Agent dma-gone \(127\.0\.0\.1:1\): cannot connect: ECONNREFUSED/);
  });
});
