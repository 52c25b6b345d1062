import * as assert from 'assert';
import { packageChoices, versionChoices } from '../../../src/ui/contributions/dataminer';
import { listUpgradePackages, packageFileNames, UPGRADES_FOLDER, type DmsUpgradeChoices } from '../../../src/ui/inventory/upgrade-packages';
import { decodeLine } from '../../../src/core/dataminer/windows-commands';

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

  it('lists the Upgrades folder read-only and keeps only package files', () => {
    const script = decodeLine(listUpgradePackages('cmd').line) ?? '';
    assert.match(script, /Get-ChildItem -LiteralPath 'C:\\Skyline DataMiner\\Upgrades' -File -Name/);
    assert.deepStrictEqual(packageFileNames('VersionHistory.txt\r\nDataMiner 10.3.5.0.dmupgrade\r\nfix.dmupdate\r\nnotes.txt\r\n'), ['DataMiner 10.3.5.0.dmupgrade', 'fix.dmupdate']);
  });
});
