import * as assert from 'node:assert/strict';
import { JournalCorruptError } from '../../../src/core/errors';
import { encodeEvent, parseJournal, type JournalEvent } from '../../../src/core/journal';
import { replay } from '../../../src/core/run-state';
import { plan, step } from './engine-fixtures';

const started: JournalEvent = { type: 'run-started', at: '2026-11-22T10:00:00.000Z', runId: 'r', by: { user: 'u', host: 'h', pid: 1 }, host: 'h' };
const running: JournalEvent = { type: 'step', at: '2026-11-22T10:00:01.000Z', step: 'a', instance: 'lab-1', state: 'running', attempt: 1 };
const succeeded: JournalEvent = { type: 'step', at: '2026-11-22T10:00:02.000Z', step: 'a', instance: 'lab-1', state: 'succeeded', attempt: 1, durationMs: 1000 };

describe('journal parsing', () => {
  it('reads every complete event in order', () => {
    const text = [started, running, succeeded].map(encodeEvent).join('');
    const parsed = parseJournal(text, 'j.jsonl');
    assert.deepEqual(parsed.events, [started, running, succeeded]);
    assert.equal(parsed.torn, undefined);
  });

  it('reads an empty journal as no events', () => {
    assert.deepEqual(parseJournal('', 'j.jsonl'), { events: [] });
  });

  it('ignores a last line cut short and reports where the valid part ends', () => {
    const whole = encodeEvent(started) + encodeEvent(running);
    const text = whole + encodeEvent(succeeded).slice(0, 30);
    const parsed = parseJournal(text, 'j.jsonl');
    assert.deepEqual(parsed.events, [started, running]);
    assert.equal(parsed.torn?.line, 3);
    assert.equal(parsed.torn?.validLength, whole.length);
  });

  it('ignores a complete last line that lacks its newline', () => {
    const text = encodeEvent(started) + JSON.stringify(running);
    const parsed = parseJournal(text, 'j.jsonl');
    assert.deepEqual(parsed.events, [started]);
    assert.equal(parsed.torn?.line, 2);
  });

  it('ignores a last line of zeros left by a power loss', () => {
    const parsed = parseJournal(encodeEvent(started) + '\0\0\0\0\n', 'j.jsonl');
    assert.deepEqual(parsed.events, [started]);
    assert.equal(parsed.torn?.line, 2);
  });

  it('rejects a damaged line before the last, naming the file and the line', () => {
    const text = encodeEvent(started) + '{"type":"step",\n' + encodeEvent(succeeded);
    assert.throws(
      () => parseJournal(text, '/runs/x/journal.jsonl'),
      (err: unknown) => err instanceof JournalCorruptError && err.line === 2 && err.file === '/runs/x/journal.jsonl' && /journal\.jsonl, line 2/.test(err.message),
    );
  });

  it('rejects an event of an unknown type in the middle', () => {
    const text = encodeEvent(started) + '{"type":"mystery","at":"x"}\n' + encodeEvent(running);
    assert.throws(() => parseJournal(text, 'j'), /line 2: unknown event type "mystery"/);
  });

  it('rejects a step event with an unknown state', () => {
    const text = encodeEvent(started) + JSON.stringify({ ...running, state: 'exploded' }) + '\n' + encodeEvent(succeeded);
    assert.throws(() => parseJournal(text, 'j'), /unknown step state "exploded"/);
  });
});

describe('journal replay', () => {
  const p = plan([step('a'), step('b')]);

  it('derives each unit state from the events', () => {
    const state = replay('r', p, [started, running, succeeded], 'j');
    assert.equal(state.units.get('a/lab-1')?.state, 'succeeded');
    assert.equal(state.units.get('a/lab-1')?.durationMs, 1000);
    assert.equal(state.units.get('b/lab-1')?.state, 'planned');
    assert.equal(state.status, 'unfinished');
  });

  it('marks a run finished only by a run-finished event', () => {
    const state = replay('r', p, [started, { type: 'run-finished', at: 'x', outcome: 'failed', reason: 'because' }], 'j');
    assert.equal(state.status, 'failed');
    assert.equal(state.finishReason, 'because');
  });

  it('rejects an illegal transition, naming the journal line', () => {
    assert.throws(() => replay('r', p, [started, succeeded], 'journal.jsonl'), (err: unknown) => err instanceof JournalCorruptError && err.line === 2 && /planned to succeeded/.test(err.message));
  });

  it('rejects an event for a step that is not in the plan', () => {
    assert.throws(() => replay('r', p, [started, { ...running, step: 'zzz' }], 'j'), /step zzz instance lab-1 is not in the plan/);
  });
});
