import * as assert from 'assert';
import type { LoadedDms } from '../../../src/adapters/store/inventory-types';
import type { Procedure } from '../../../src/core/procedure';
import { builtinProcedures } from '../../../src/procedures';
import { dataminerUi, inventoryPrefill, packageChoices, versionChoices } from '../../../src/ui/contributions/dataminer';
import { ProcedureUis } from '../../../src/ui/contributions/procedure-ui';
import { packagesOnAgents, UPGRADES_FOLDER, type DmsUpgradeChoices } from '../../../src/ui/inventory/upgrade-packages';
import { parseAgentPackages } from '../../../src/adapters/ssh/agent-packages';

const facts: DmsUpgradeChoices = {
  history: [
    { installedAt: '2025-01-10 09:00:00', build: '10.3.5.0-13000-20241201-release', version: '10.3.5.0' },
    { installedAt: '2025-03-27 11:16:35', build: '10.3.9.0-14000-20250319-release', version: '10.3.9.0' },
  ],
  current: '10.3.9.0',
  packages: [
    { path: `${UPGRADES_FOLDER}\\DataMiner 10.3.5.0.dmupgrade`, agents: ['dma-01', 'dma-02', 'dma-03'] },
    { path: `${UPGRADES_FOLDER}\\Other.dmupgrade`, agents: ['dma-01'] },
  ],
  agents: ['dma-01', 'dma-02', 'dma-03'],
};

describe('DataMiner choices in Start Rollback', () => {
  it('offers the versions of VersionHistory.txt to go back to, newest first, without the one running now', () => {
    const offer = versionChoices(facts);
    assert.deepStrictEqual(offer.items.map((i) => i.value), ['10.3.5.0']);
    assert.match(offer.items[0]?.description ?? '', /2025-01-10/);
  });

  it('offers the packages found on the Agents as agent paths, the one for the chosen version first, and a local file', () => {
    const offer = packageChoices(facts, '10.3.5');
    assert.deepStrictEqual(offer.items.map((i) => i.value), [`agent:${UPGRADES_FOLDER}\\DataMiner 10.3.5.0.dmupgrade`, `agent:${UPGRADES_FOLDER}\\Other.dmupgrade`]);
    assert.strictEqual(offer.items[0]?.description, 'on every Agent');
    assert.strictEqual(offer.items[1]?.description, 'only on dma-01');
    assert.deepStrictEqual(offer.localFile?.filters, { 'DataMiner packages': ['dmupgrade', 'dmupdate'] });
  });

  it('offers each package the Agents list once, with every Agent that has it', () => {
    const listing = (csv: string): ReturnType<typeof parseAgentPackages> => parseAgentPackages(`"Name","Length"\r\n${csv}`, UPGRADES_FOLDER);
    const offer = packagesOnAgents([
      { agent: 'dma-01', packages: listing('"DataMiner 10.3.5.0.dmupgrade","10"\r\n"VersionHistory.txt","3"\r\n"fix.dmupdate","4"\r\n') },
      { agent: 'dma-02', packages: listing('"DataMiner 10.3.5.0.dmupgrade","10"\r\n') },
    ]);
    assert.deepStrictEqual(offer, [
      { path: `${UPGRADES_FOLDER}\\DataMiner 10.3.5.0.dmupgrade`, agents: ['dma-01', 'dma-02'] },
      { path: `${UPGRADES_FOLDER}\\fix.dmupdate`, agents: ['dma-01'] },
    ]);
  });
});

describe('DataMiner contribution: the answers a DMS of the inventory implies', () => {
  const lab: LoadedDms = {
    name: 'lab-dms',
    production: true,
    agents: [
      { name: 'dma-01', host: '10.0.0.11' },
      { name: 'dma-02', sshAlias: 'dma-02-jump' },
    ],
    source: { file: '/home/op/.backout/inventory.json', scope: 'user' },
  };

  it('gives the Agents as name=address, the production flag, and route B first without a hypervisor', () => {
    assert.deepStrictEqual(inventoryPrefill(lab), { agents: 'dma-01=10.0.0.11,dma-02', production: 'true', route: 'package' });
  });

  it('leaves the route to the user and names the database VM when the inventory has a hypervisor', () => {
    const withVms: LoadedDms = { ...lab, production: false, hypervisor: { kind: 'vsphere', address: 'vc.example' }, databaseVm: { name: 'cassandra-01' } };
    assert.deepStrictEqual(inventoryPrefill(withVms), { agents: 'dma-01=10.0.0.11,dma-02', production: 'false', databaseVm: 'cassandra-01' });
  });

  it('is looked up for the DataMiner procedure only, by its target', () => {
    const ui = dataminerUi({ find: (name) => (name === 'lab-dms' ? lab : undefined), read: async () => undefined });
    const uis = new ProcedureUis([ui]);
    const procedures = builtinProcedures() as Procedure[];
    const dm = procedures.find((p) => p.id === ui.procedureId) as Procedure;
    const ondat = procedures.find((p) => p.id !== ui.procedureId) as Procedure;
    assert.strictEqual(uis.prefill(dm, 'lab-dms').agents, 'dma-01=10.0.0.11,dma-02');
    assert.deepStrictEqual(uis.prefill(dm, 'not-in-the-inventory'), {});
    assert.deepStrictEqual(uis.prefill(ondat, 'lab-dms'), {});
  });
});
