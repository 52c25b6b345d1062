import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gatherDmsFacts } from '../../../src/adapters/store/dms-facts';
import { loadInventoryStrict, workspaceInventoryPath, findDms } from '../../../src/adapters/store/inventory-load';
import { labPool } from './helpers';
import { sharedLab, tempDir } from './lab';

describe('DMS facts from the inventory', () => {
  it('gathers each Agent of a DMS (by host and by SSH alias), and reports an unreachable one without failing the rest', async () => {
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
    const facts = await gatherDmsFacts(labPool(lab, tempDir('inv')), dms, { sshConfig: { homeDir: home } });
    assert.deepEqual(facts.agents.map((f) => [f.name, f.reachable]), [['dma-18', true], ['dma-19', true], ['dma-down', false]]);
    assert.equal(facts.agents[0]?.version?.build, lab.state('dma-18').build);
    assert.equal(facts.agents[1]?.version?.build, lab.state('dma-19').build);
    assert.match(facts.agents[2]?.error ?? '', /Agent lab\/dma-down \(127\.0\.0\.1:1\): cannot connect/);
    assert.equal(facts.consistent, false);
  });
});
