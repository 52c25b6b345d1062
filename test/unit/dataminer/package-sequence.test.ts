import * as assert from 'assert';
import { DowngradeError, packageSequence } from '../../../src/procedures/dataminer/package-sequence';

function labels(from: string, to: string): string[] {
  return packageSequence(from, to).map((p) => p.label);
}

describe('the package sequence of a downgrade', () => {
  it('holds the current MOP example: 10.4.0 → 10.1.0 installs 10.3.0, 10.2.0, 10.1.0', () => {
    assert.deepStrictEqual(labels('10.4.0', '10.1.0'), ['10.3.0', '10.2.0', '10.1.0']);
  });

  it('holds the older MOP example: 10.2.0 → 9.6.0 installs 10.1.0, 10.0.0, 9.6.0', () => {
    assert.deepStrictEqual(labels('10.2.0', '9.6.0'), ['10.1.0', '10.0.0', '9.6.0']);
  });

  const table: Array<[string, string, string[]]> = [
    ['10.3.9', '10.3.5', ['10.3.5']],
    ['10.3.12', '10.3.0 [CU5]', ['10.3.0 [CU5]']],
    ['10.4.1', '10.2.0', ['10.3.0', '10.2.0']],
    ['10.4.0.0-14772-20240821-release', '10.3.7', ['10.3.7']],
    ['10.0.0 [CU19]', '9.5.0', ['9.6.0', '9.5.0']],
    ['10.8.2', '10.5.0', ['10.7.0', '10.6.0', '10.5.0']],
    ['10.2.0 [CU3]', '10.2.0 [CU1]', ['10.2.0 [CU1]']],
  ];
  for (const [from, to, expected] of table) {
    it(`${from} → ${to} installs ${expected.join(', ')}`, () => {
      assert.deepStrictEqual(labels(from, to), expected);
    });
  }

  it('marks only the last package as the final one', () => {
    assert.deepStrictEqual(packageSequence('10.4.0', '10.1.0').map((p) => p.final), [false, false, true]);
  });

  it('refuses a target higher than the current version, saying this is an upgrade', () => {
    assert.throws(() => packageSequence('10.3.5', '10.3.9'), (err: unknown) => err instanceof DowngradeError && /only downgrades/.test(err.message));
  });

  it('refuses the version the DMS already runs', () => {
    assert.throws(() => packageSequence('10.3.5', '10.3.5'), (err: unknown) => err instanceof DowngradeError && /already runs 10\.3\.5/.test(err.message));
  });
});
