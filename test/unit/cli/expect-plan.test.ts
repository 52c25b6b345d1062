// `backout run --expect-plan F`: the run host (started by VS Code after a person accepted a plan) plans again and starts
// only if that plan does what the accepted one does; otherwise it exits 7 naming each change, before any step.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { comparablePlan } from '../../../src/core/plan-diff';
import type { Plan } from '../../../src/core/plan';
import { backout, testProcedures } from './cli-process';

describe('backout run --expect-plan', function () {
  this.timeout(60_000);
  let work: string;
  let env: Record<string, string>;
  const run = (dir: string, ...args: string[]) =>
    backout(['run', 'test-sequence', '-p', `dir=${dir}`, '-p', 'target=lab', '--yes', '--procedures', testProcedures, ...args], env);

  /** The plan of a finished run of the same procedure, as the run folder keeps it. */
  function acceptedPlan(dir: string): string {
    const r = run(dir);
    assert.equal(r.code, 0, r.stderr);
    const runs = path.join(work, 'runs');
    const [folder] = fs.readdirSync(runs).filter((n) => fs.statSync(path.join(runs, n)).isDirectory() && fs.existsSync(path.join(runs, n, 'plan.json')));
    assert.ok(folder, `a run folder with plan.json under ${runs}`);
    const plan = JSON.parse(fs.readFileSync(path.join(runs, folder, 'plan.json'), 'utf8')) as Plan;
    const file = path.join(work, 'accepted.json');
    fs.writeFileSync(file, JSON.stringify(comparablePlan(plan)));
    fs.rmSync(path.join(dir, 'effects.log'), { force: true });
    return file;
  }

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-expect-'));
    env = { BACKOUT_RUNS_DIR: path.join(work, 'runs') };
  });

  it('starts when the plan made now is the accepted one', () => {
    const dir = path.join(work, 'a');
    fs.mkdirSync(dir);
    const accepted = acceptedPlan(dir);
    const r = run(dir, '--expect-plan', accepted);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.readFileSync(path.join(dir, 'effects.log'), 'utf8').includes('prepare'));
  });

  it('refuses with exit 7, naming what changed, and runs no step when the plan differs', () => {
    const dir = path.join(work, 'a');
    const other = path.join(work, 'b');
    fs.mkdirSync(dir);
    fs.mkdirSync(other);
    const accepted = acceptedPlan(dir);
    const r = run(other, '--expect-plan', accepted);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /Not started: the plan made now differs from the plan that was accepted/);
    assert.match(r.stderr, /step "Write the marker file" on lab sends a different command/);
    assert.equal(fs.existsSync(path.join(other, 'effects.log')), false, 'no step ran');
  });

  it('refuses a file that holds no plan with exit 2, naming it', () => {
    const file = path.join(work, 'not-a-plan.json');
    fs.writeFileSync(file, '{"params": {}}');
    const r = run(work, '--expect-plan', file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--expect-plan .*not-a-plan\.json: it holds no plan \(steps and warnings\)/);
  });
});
