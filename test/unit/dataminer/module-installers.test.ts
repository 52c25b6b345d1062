import * as assert from 'assert';
import { chooseInstaller, compareDotted, SWAP_RULES } from '../../../src/procedures/dataminer/module-installers';

const storage = SWAP_RULES[0] as (typeof SWAP_RULES)[number];
const api = SWAP_RULES[1] as (typeof SWAP_RULES)[number];

describe('choosing the installers the module swap reinstalls', () => {
  const table: Array<[string, string[], string | undefined]> = [
    ['the highest StorageModule at or below 1.0.1', ['DataMiner StorageModule 1.0.0.msi', 'DataMiner StorageModule 1.0.1.msi', 'DataMiner StorageModule 3.0.3.msi'], '1.0.1'],
    ['a lower StorageModule when 1.0.1 is missing', ['DataMiner StorageModule 0.9.12.msi', 'DataMiner StorageModule 3.0.3.msi'], '0.9.12'],
    ['none when only newer ones are there', ['DataMiner StorageModule 3.0.3.msi', 'DataMiner StorageModule 1.0.10.msi'], undefined],
    ['none from other modules or other files', ['DataMiner UserDefinableApiEndpoint 1.1.1.msi', 'StorageModule 1.0.1.msi', 'DataMiner StorageModule 1.0.1.zip'], undefined],
  ];
  for (const [what, files, expected] of table) {
    it(`finds ${what}`, () => assert.strictEqual(chooseInstaller(storage, files)?.version, expected));
  }

  it('finds the highest UserDefinableApiEndpoint at or below 1.1.1', () => {
    assert.strictEqual(chooseInstaller(api, ['DataMiner UserDefinableApiEndpoint 1.0.2.msi', 'DataMiner UserDefinableApiEndpoint 1.1.0.msi', 'DataMiner UserDefinableApiEndpoint 1.1.1.msi', 'DataMiner UserDefinableApiEndpoint 2.0.0.msi'])?.version, '1.1.1');
  });

  it('compares versions number by number', () => {
    assert.ok(compareDotted('1.0.10', '1.0.9') > 0);
    assert.ok(compareDotted('3.0.3', '3.0.3.0') === 0);
    assert.ok(compareDotted('2.0.0', '3.0.3') < 0);
  });
});
