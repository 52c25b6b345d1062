import * as assert from 'assert';
import { moduleSwapDecision } from '../../../src/procedures/dataminer/module-swap';
import { parseVersion } from '../../../src/procedures/dataminer/version';

function decide(from: string, to: string): string {
  return moduleSwapDecision(parseVersion(from), parseVersion(to)).swap;
}

describe('when the module swap applies', () => {
  const table: Array<[string, string, 'required' | 'not-needed' | 'ask']> = [
    ['10.3.9', '10.3.5', 'required'],
    ['10.3.8', '10.3.7', 'required'],
    ['10.3.12', '10.3.4', 'required'],
    ['10.4.0', '10.3.6', 'required'],
    ['10.3.9_CU1', '10.3.7', 'required'],
    ['10.3.8', '10.3.7 CU2', 'required'],
    ['10.3.7', '10.3.5', 'not-needed'],
    ['10.3.9', '10.3.8', 'not-needed'],
    ['10.3.9', '10.3.3', 'not-needed'],
    ['10.4.1', '10.2.0', 'not-needed'],
    ['10.3.5', '10.3.9', 'not-needed'],
    ['10.4.1', '10.3.0', 'ask'],
    ['10.3.9', '10.3.0 [CU4]', 'ask'],
    ['10.3.0 [CU6]', '10.3.0 [CU2]', 'ask'],
    ['10.3.9', '10.3.0 [CU5]', 'not-needed'],
  ];
  for (const [from, to, expected] of table) {
    it(`${from} → ${to}: ${expected}`, () => assert.strictEqual(decide(from, to), expected));
  }

  it('puts the ambiguity to the user as a question naming both versions and the 10.3.0 [CU5] date', () => {
    const d = moduleSwapDecision(parseVersion('10.4.1'), parseVersion('10.3.0'));
    assert.strictEqual(d.swap, 'ask');
    if (d.swap === 'ask') {
      assert.match(d.question, /10\.4\.1 to 10\.3\.0/);
      assert.match(d.question, /10\.3\.0 \[CU5\]/);
      assert.match(d.question, /moduleSwap/);
    }
  });
});
