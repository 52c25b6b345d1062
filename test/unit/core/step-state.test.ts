import * as assert from 'node:assert/strict';
import { canTransition, isDone, STEP_STATES, type StepState } from '../../../src/core/step-state';

// The complete table of legal transitions; every other pair must be refused.
const LEGAL: ReadonlyArray<[StepState, StepState]> = [
  ['planned', 'awaiting-confirmation'],
  ['planned', 'running'],
  ['awaiting-confirmation', 'running'],
  ['awaiting-confirmation', 'cancelled'],
  ['running', 'succeeded'],
  ['running', 'failed'],
  ['running', 'cancelled'],
  ['failed', 'awaiting-confirmation'],
  ['failed', 'running'],
  ['failed', 'succeeded'],
  ['failed', 'skipped'],
  ['cancelled', 'awaiting-confirmation'],
  ['cancelled', 'running'],
  ['cancelled', 'succeeded'],
  ['cancelled', 'skipped'],
];

describe('step state machine', () => {
  for (const from of STEP_STATES) {
    for (const to of STEP_STATES) {
      const legal = LEGAL.some(([a, b]) => a === from && b === to);
      it(`${legal ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        assert.equal(canTransition(from, to), legal);
      });
    }
  }

  it('treats succeeded and skipped as finished for good, and nothing else', () => {
    assert.deepEqual(
      STEP_STATES.filter((s) => isDone(s)),
      ['succeeded', 'skipped'],
    );
  });

  it('lets nothing leave succeeded or skipped', () => {
    for (const to of STEP_STATES) {
      assert.equal(canTransition('succeeded', to), false);
      assert.equal(canTransition('skipped', to), false);
    }
  });
});
