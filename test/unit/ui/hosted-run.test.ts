// Following a run owned by a run host through its folder (issue 13 §2): the window sees every journal event once, and
// a resumed run is not taken for finished because its journal ends with the last session's run-finished.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalEvent } from '../../../src/core/journal';
import { HostedRun, type HostedEnd } from '../../../src/ui/runs/hosted-run';

const line = (e: Record<string, unknown>): string => `${JSON.stringify({ at: '2026-12-07T10:00:00.000Z', ...e })}\n`;
const started = line({ type: 'run-started', runId: 'r', by: { user: 'u', host: 'h', pid: 1 }, host: 'h' });
const finished = line({ type: 'run-finished', outcome: 'cancelled', reason: 'cancelled' });
const resumed = line({ type: 'run-resumed', by: { user: 'u', host: 'h', pid: 2 } });

function follow(location: string, skipExisting: boolean, alive = true): { run: HostedRun; events: JournalEvent[] } {
  const events: JournalEvent[] = [];
  const run = new HostedRun({
    runId: 'r',
    location,
    target: 't',
    answerer: { by: 'u@h', via: 'test', folder: async () => undefined, socket: async () => undefined },
    onEvent: (e) => events.push(e),
    onChange: () => undefined,
    hostAlive: async () => alive,
    skipExisting,
    pollMs: 10,
  });
  return { run, events };
}

async function settled(p: Promise<HostedEnd>, ms: number): Promise<HostedEnd | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

describe('HostedRun', () => {
  it('follows a resumed run past the previous session\'s run-finished, and ends at its own', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-hosted-'));
    const journal = path.join(dir, 'journal.jsonl');
    fs.writeFileSync(journal, started + finished);
    const { run, events } = follow(dir, true);
    try {
      assert.equal(await settled(run.done, 150), 'pending', 'the last session\'s end is not this one\'s');
      fs.appendFileSync(journal, resumed);
      assert.equal(await settled(run.done, 100), 'pending');
      fs.appendFileSync(journal, finished);
      assert.deepEqual(await settled(run.done, 1000), { kind: 'finished' });
      assert.deepEqual(events.map((e) => e.type), ['run-resumed', 'run-finished'], 'each new event once, none from before');
    } finally {
      run.detach();
    }
  });

  it('a window attaching to a running run reads its journal from the start, and is not ended by a half-written line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-hosted-'));
    const journal = path.join(dir, 'journal.jsonl');
    fs.writeFileSync(journal, started + finished + resumed + '{"type":"run-fin');
    const { run, events } = follow(dir, false);
    try {
      assert.equal(await settled(run.done, 150), 'pending');
      assert.deepEqual(events.map((e) => e.type), ['run-started', 'run-finished', 'run-resumed']);
      fs.appendFileSync(journal, 'ished","at":"2026-12-07T10:00:01.000Z","outcome":"succeeded"}\n');
      assert.deepEqual(await settled(run.done, 1000), { kind: 'finished' });
    } finally {
      run.detach();
    }
  });

  it('ends as "host gone" when the run host dies without finishing the run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-hosted-'));
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), started);
    const { run } = follow(dir, false, false);
    assert.deepEqual(await settled(run.done, 1000), { kind: 'host-gone' });
  });
});
