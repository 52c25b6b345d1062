// Cancellation and timeouts of the real CLI: Ctrl-C reaches the running local process, and a step timeout stops it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backout, backoutAsync, testProcedures } from '../../unit/cli/cli-process';
import { alive, until } from './processes';

describe('cancellation and timeouts (real processes)', function () {
  this.timeout(30_000);
  let runs: string;
  let work: string;
  let env: Record<string, string>;

  beforeEach(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-cancel-'));
    runs = path.join(base, 'runs');
    work = path.join(base, 'work');
    fs.mkdirSync(work);
    env = { BACKOUT_RUNS_DIR: runs };
  });

  const pidOfStep = (): number => Number(fs.readFileSync(path.join(work, 'pid'), 'utf8'));
  const journal = (): string => {
    const id = fs.readdirSync(runs).find((n) => /^\d{8}-/.test(n)) as string;
    return fs.readFileSync(path.join(runs, id, 'journal.jsonl'), 'utf8');
  };

  it('cancels on SIGINT: the running process is stopped, the run is recorded cancelled, exit 130', async () => {
    const { child, done } = backoutAsync(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${work}`], env);
    await until(() => fs.existsSync(path.join(work, 'pid')) && fs.readFileSync(path.join(work, 'pid'), 'utf8').trim() !== '', 'the step to start');
    const stepPid = pidOfStep();
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await done;
    const latency = Date.now() - t0;
    assert.equal(r.code, 130, r.stderr);
    assert.equal(alive(stepPid), false, 'the sleeping process is gone');
    assert.match(journal(), /"state":"cancelled","attempt":1,"durationMs":\d+,"reason":"cancelled: interrupted by SIGINT"/);
    assert.match(journal(), /"type":"run-finished".*"outcome":"cancelled"/);
    // Loose: the child is sent SIGTERM at once; only a process ignoring it would wait for the 3 s kill.
    assert.ok(latency < 5000, `exited ${latency} ms after SIGINT`);
  });

  it('can be resumed after a cancel', async () => {
    const { child, done } = backoutAsync(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${work}`, '-p', 'seconds=1'], env);
    await until(() => fs.existsSync(path.join(work, 'pid')), 'the step to start');
    child.kill('SIGINT');
    await done;
    const id = fs.readdirSync(runs).find((n) => /^\d{8}-/.test(n)) as string;
    const r = backout(['resume', id], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sleep \/ lab: running — re-run after it was interrupted: the step is idempotent/);
  });

  it('fails a step that exceeds its timeout and stops its process, exit 1', async () => {
    const r = backout(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${work}`, '-p', 'timeout=300'], env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /sleep \/ lab: failed — timed out after 300 ms/);
    assert.equal(alive(pidOfStep()), false);
  });
});
