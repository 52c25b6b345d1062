// The run host finds Agents as VS Code does (issue 13 §2: VS Code's runs are carried out by the `backout` CLI): an
// Agent named in the plan is looked up in the DMS inventory first, here the file named by BACKOUT_INVENTORY_FILE (VS
// Code's backout.inventoryFile setting), then in the SSH config. The Agent's name below is in no SSH config.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backout, startDms, type DmsLab } from './dms-lab';

const PACKAGE = 'C:\\Packages\\DataMiner 10.3.5.dmupgrade';

describe('backout finds Agents through the DMS inventory before the SSH config (Agent lab)', function () {
  this.timeout(120_000);
  let dms: DmsLab;

  before(async () => {
    dms = await startDms([{ name: 'dma-01', version: '10.3.9' }], { userPrefix: 'bkinv' });
    // Only the inventory knows "inv-01": the SSH config of this home names the lab's Agent "dma-01".
    const agent = dms.lab.agents[0];
    assert.ok(agent);
    const inventory = {
      version: 1,
      systems: [{ name: 'lab', production: false, agents: [{ name: 'inv-01', host: agent.host, port: agent.port, user: agent.user, auth: 'key', identityFile: dms.lab.clientKeyPath }] }],
    };
    fs.writeFileSync(path.join(dms.home, 'team-inventory.json'), JSON.stringify(inventory));
    dms.lab.placePackage('dma-01', PACKAGE, '10.3.5');
  });

  after(async () => {
    await dms?.stop();
  });

  const planArgs = (): string[] => [
    'plan',
    'dataminer.downgrade',
    '--param',
    'route=package',
    '--param',
    `agents=inv-01=${dms.lab.agents[0]?.address ?? ''}`,
    '--param',
    'to=10.3.5',
    '--param',
    `packages=agent:${PACKAGE}`,
  ];

  it('reads the Agent named only in the inventory file given by BACKOUT_INVENTORY_FILE', async () => {
    process.env.BACKOUT_INVENTORY_FILE = path.join(dms.home, 'team-inventory.json');
    try {
      const r = await backout(dms, planArgs()).done;
      assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
      // Planning reads the Agent's version and installed modules over SSH: it plans the module swap that 10.3.9 → 10.3.5 needs.
      assert.match(r.stdout, /Target: DMS \S+ \(1 Agent: inv-01\)/);
      assert.match(r.stdout, /swap-uninstall-storagemodule/);
    } finally {
      delete process.env.BACKOUT_INVENTORY_FILE;
    }
  });

  it('without the inventory, the same name is not found (the SSH config does not know it)', async () => {
    const r = await backout(dms, planArgs()).done;
    assert.notStrictEqual(r.code, 0, r.stdout);
    assert.match(`${r.stdout}${r.stderr}`, /inv-01/);
  });
});
