import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gatherDmsFacts } from '../../../src/adapters/store/dms-facts';
import { loadInventoryStrict, workspaceInventoryPath, findDms } from '../../../src/adapters/store/inventory-load';
import { AgentFactsService } from '../../../src/ui/inventory/agent-facts-service';
import { labKnownHosts, labPool, ScriptedPrompter } from './helpers';
import { sharedLab, tempDir } from './lab';

/** An inventory DMS of two lab Agents (one by host, one by SSH alias) and one that cannot be reached. */
async function labInventory(): Promise<{ lab: Awaited<ReturnType<typeof sharedLab>>; home: string; dms: ReturnType<typeof findDms> }> {
  const lab = await sharedLab();
  const home = tempDir('inv-home');
  const ws = tempDir('inv-ws');
  const [a, b] = [lab.agent('dma-18'), lab.agent('dma-19')];
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  fs.writeFileSync(path.join(home, '.ssh', 'config'), `Host lab-dma-19\n  HostName 127.0.0.1\n  Port ${b.port}\n  User ${b.user}\n  IdentityFile ${lab.clientKeyPath}\n`);
  fs.mkdirSync(path.dirname(workspaceInventoryPath(ws)), { recursive: true });
  fs.writeFileSync(
    workspaceInventoryPath(ws),
    JSON.stringify({
      version: 1,
      systems: [
        {
          name: 'lab',
          production: false,
          agents: [
            { name: 'dma-18', host: '127.0.0.1', port: a.port, user: a.user, auth: 'key', identityFile: lab.clientKeyPath, shell: 'cmd' },
            { name: 'dma-19', sshAlias: 'lab-dma-19' },
            { name: 'dma-down', host: '127.0.0.1', port: 1, user: 'Administrator', auth: 'key', identityFile: lab.clientKeyPath },
          ],
        },
      ],
    }),
  );
  const dms = findDms(loadInventoryStrict({ homeDir: home, workspaceFolders: [ws] }), 'lab');
  return { lab, home, dms };
}

describe('DMS facts from the inventory', () => {
  it('gathers each Agent of a DMS (by host and by SSH alias), and reports an unreachable one without failing the rest', async () => {
    const { lab, home, dms } = await labInventory();
    const facts = await gatherDmsFacts(labPool(lab, tempDir('inv')), dms, { sshConfig: { homeDir: home } });
    assert.deepEqual(facts.agents.map((f) => [f.name, f.reachable]), [['dma-18', true], ['dma-19', true], ['dma-down', false]]);
    assert.equal(facts.agents[0]?.version?.build, lab.state('dma-18').build);
    assert.equal(facts.agents[1]?.version?.build, lab.state('dma-19').build);
    assert.match(facts.agents[2]?.error ?? '', /Agent lab\/dma-down \(127\.0\.0\.1:1\): cannot connect/);
    assert.equal(facts.consistent, false);
  });

  it('offers Start Rollback the packages in the Upgrades folder of every reachable Agent, with the Agents that have each', async () => {
    const { lab, home, dms } = await labInventory();
    const up = 'C:\\Skyline DataMiner\\Upgrades';
    for (const agent of ['dma-18', 'dma-19']) lab.placePackage(agent, `${up}\\DataMiner 10.3.5.0-13485-20230615-release.dmupgrade`, '10.3.5');
    lab.placePackage('dma-19', `${up}\\fix.dmupdate`, '10.3.5');
    lab.placeFile('dma-18', `${up}\\notes.txt`, 'not a package');
    const dir = tempDir('inv-choices');
    const service = new AgentFactsService(() => ({
      prompter: new ScriptedPrompter(),
      sshConfig: { homeDir: home },
      userKnownHostsFiles: [labKnownHosts(lab, dir)],
      backoutKnownHostsFile: path.join(dir, 'backout_known_hosts'),
      identityFiles: [],
      agent: null,
    }));
    try {
      const choices = await service.upgradeChoices(dms);
      assert.deepEqual(choices.packages, [
        { path: `${up}\\DataMiner 10.3.5.0-13485-20230615-release.dmupgrade`, agents: ['dma-18', 'dma-19'] },
        { path: `${up}\\fix.dmupdate`, agents: ['dma-19'] },
      ]);
      assert.deepEqual(choices.agents, ['dma-18', 'dma-19', 'dma-down']);
      assert.equal(choices.current, lab.state('dma-18').build.split('-')[0]);
      assert.ok(choices.history.length > 0);
    } finally {
      await service.dispose();
    }
  });
});
