import * as assert from 'node:assert/strict';
import { forEachBounded, mapBounded } from '../../../src/core/pool';

describe('bounded pools', () => {
  it('never has more than the limit in flight, and mapBounded keeps results in item order', async () => {
    let inFlight = 0;
    let most = 0;
    const items = [30, 5, 20, 1, 10, 2];
    const out = await mapBounded(items, 2, async (ms) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return ms * 2;
    });
    assert.equal(most, 2);
    assert.deepEqual(out, [60, 10, 40, 2, 20, 4]);
  });

  it('runs every item even when one fails, then rejects with the first failure', async () => {
    const seen: number[] = [];
    await assert.rejects(
      forEachBounded([1, 2, 3], 1, async (n) => {
        seen.push(n);
        if (n === 2) throw new Error('two');
      }),
      /two/,
    );
    assert.deepEqual(seen, [1, 2, 3]);
  });
});
