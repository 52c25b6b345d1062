// Fan-out bounds observed on real processes: each instance writes "start i" and "end i" to a trace file; the
// number of instances between a start and its end never exceeds the bound.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backout, testProcedures } from '../../unit/cli/cli-process';

function maxOverlap(trace: string[]): number {
  let now = 0;
  let max = 0;
  for (const line of trace) {
    if (line.startsWith('start ')) max = Math.max(max, ++now);
    if (line.startsWith('end ')) now--;
  }
  return max;
}

describe('fan-out (real processes)', function () {
  this.timeout(30_000);
  let work: string;
  let env: Record<string, string>;

  beforeEach(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-fan-'));
    work = path.join(base, 'work');
    fs.mkdirSync(work);
    env = { BACKOUT_RUNS_DIR: path.join(base, 'runs') };
  });

  const trace = (): string[] => fs.readFileSync(path.join(work, 'trace.log'), 'utf8').trim().split('\n');
  const run = (params: string[], flags: string[] = []): ReturnType<typeof backout> =>
    backout(['run', 'test-fanout', '--procedures', testProcedures, '-p', `dir=${work}`, ...params.flatMap((p) => ['-p', p]), ...flags], env);

  it("runs the step's instances in parallel, never more at once than its bound", () => {
    const r = run(['instances=9', 'concurrency=3', 'sleep=0.3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(trace().filter((l) => l.startsWith('end ')).length, 9);
    assert.equal(maxOverlap(trace()), 3);
  });

  it('caps the fan-out further with --concurrency', () => {
    const r = run(['instances=6', 'concurrency=5', 'sleep=0.3'], ['--concurrency', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(maxOverlap(trace()), 2);
  });

  it('starts no further instance after the first failure, and no later step', () => {
    const r = run(['instances=6', 'concurrency=1', 'fail=3', 'sleep=0']);
    assert.equal(r.code, 1);
    assert.deepEqual(trace(), ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('with --continue-on-failure attempts every instance, then still stops before the next step', () => {
    const r = run(['instances=4', 'concurrency=1', 'fail=2', 'sleep=0'], ['--continue-on-failure']);
    assert.equal(r.code, 1);
    assert.deepEqual(trace().filter((l) => l.startsWith('start')), ['start 1', 'start 2', 'start 3', 'start 4']);
    assert.equal(trace().includes('after'), false);
  });
});
