import * as assert from 'node:assert/strict';
import { anySignal, formatDuration, isTimeout, timeoutSignal } from '../../../src/core/abort';
import { systemClock } from '../../../src/adapters/local/system';

describe('abort signals', () => {
  it('aborts the combined signal with the reason of the first input that aborts', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = anySignal([a.signal, undefined, b.signal]);
    b.abort(new Error('b went'));
    assert.equal(linked.signal.aborted, true);
    assert.equal((linked.signal.reason as Error).message, 'b went');
  });

  it('is aborted at once when an input already is', () => {
    const a = new AbortController();
    a.abort('early');
    assert.equal(anySignal([a.signal]).signal.reason, 'early');
  });

  it('stops following its inputs once disposed', () => {
    const a = new AbortController();
    const linked = anySignal([a.signal]);
    linked.dispose();
    a.abort();
    assert.equal(linked.signal.aborted, false);
  });

  it('aborts with a TimeoutError when the time is up', async () => {
    const t = timeoutSignal(10, systemClock);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(t.signal.aborted, true);
    assert.equal(isTimeout(t.signal.reason), true);
  });

  it('never aborts once disposed before the time is up', async () => {
    const t = timeoutSignal(10, systemClock);
    t.dispose();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(t.signal.aborted, false);
  });

  it('formats durations for people', () => {
    assert.deepEqual([formatDuration(250), formatDuration(1500), formatDuration(45_000), formatDuration(120_000), formatDuration(125_000)], ['250 ms', '1.5 s', '45 s', '2 min', '2 min 5 s']);
  });
});
