// The run host (the CLI) alone is killed with SIGKILL while a destructive, non-idempotent step with a verification
// runs: its job, in its own process group, goes on. Resuming at once must wait for that job, never start the command
// a second time (issue 13, case 1); a job that ended meanwhile is settled by the exit code its wrapper recorded.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backout, backoutAsync, testProcedures } from '../../unit/cli/cli-process';
import { killTree, until } from './processes';

interface Scenario {
  runs: string;
  work: string;
  env: Record<string, string>;
}

function scenario(): Scenario {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-orphan-'));
  const work = path.join(base, 'work');
  fs.mkdirSync(work);
  return { runs: path.join(base, 'runs'), work, env: { BACKOUT_RUNS_DIR: path.join(base, 'runs') } };
}

const release = (s: Scenario, name: string): void => fs.writeFileSync(path.join(s.work, `release-${name}`), '');
const effects = (s: Scenario): string[] => {
  const f = path.join(s.work, 'effects.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
};
const runIdOf = (s: Scenario): string => fs.readdirSync(s.runs).find((n) => /^\d{8}-/.test(n)) as string;

/** Starts test-sequence with every action before `destroy` released, and SIGKILLs the CLI alone once destroy runs. */
async function killHostDuringDestroy(s: Scenario): Promise<void> {
  for (const a of ['prepare', 'verified', 'unverified', 'fan-out-node-a', 'fan-out-node-b', 'fan-out-node-c']) release(s, a);
  const { child, done } = backoutAsync(['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${s.work}`, '-p', 'hold=true', '--yes'], s.env);
  await until(() => effects(s).includes('destroy'), 'destroy to start');
  // Only the run host: its job is in its own process group and keeps running, as after `kill -9 <pid of backout>`.
  process.kill(child.pid as number, 'SIGKILL');
  await done;
}

describe('resume after the run host alone was killed (orphaned job)', function () {
  this.timeout(60_000);
  const leftovers: number[] = [];
  afterEach(() => {
    for (const pid of leftovers.splice(0)) killTree(pid);
  });

  it('waits for the job still running from the killed session and never starts it a second time', async () => {
    const s = scenario();
    await killHostDuringDestroy(s);
    release(s, 'finish');
    const resumed = backoutAsync(['resume', runIdOf(s), '--yes', '--if-interrupted', 'stop'], s.env);
    leftovers.push(resumed.child.pid as number);
    let output = '';
    resumed.child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    await until(() => /still running from the interrupted session/.test(output), 'the resume to say it waits for the job');
    // Give a wrong resume every chance to start the command again while the first one still runs.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(effects(s).filter((e) => e === 'destroy'), ['destroy'], 'destroy started once');
    release(s, 'destroy');
    const r = await resumed.done;
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(effects(s).filter((e) => e === 'destroy'), ['destroy'], 'destroy ran exactly once');
    assert.match(r.stdout, /destroy \/ lab: succeeded — finished after the interruption \(exit code 0, recorded by its job wrapper\); verified/);
  });

  it('settles a job that ended while no run host was there by the exit code its wrapper recorded', async () => {
    const s = scenario();
    await killHostDuringDestroy(s);
    release(s, 'destroy');
    const exitFile = path.join(s.runs, runIdOf(s), 'jobs', 'destroy', 'lab.1', 'exit');
    await until(() => fs.existsSync(exitFile), 'the orphaned job to end');
    release(s, 'finish');
    const r = backout(['resume', runIdOf(s), '--yes', '--if-interrupted', 'stop'], s.env);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /still running/);
    assert.match(r.stdout, /destroy \/ lab: succeeded — finished after the interruption/);
    assert.deepEqual(effects(s).filter((e) => e === 'destroy'), ['destroy']);
  });

  it('journals what each attempt started: pid, process group and start time', async () => {
    const s = scenario();
    await killHostDuringDestroy(s);
    release(s, 'destroy');
    const journal = fs.readFileSync(path.join(s.runs, runIdOf(s), 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    const job = journal.map((l) => JSON.parse(l) as { type: string; step?: string; job?: { kind: string; pid: number; pgid: number; startTicks?: string } }).find((e) => e.type === 'job' && e.step === 'destroy');
    assert.ok(job?.job, 'a job event for destroy');
    assert.equal(job.job.kind, 'local');
    assert.ok(job.job.pid > 1);
    assert.equal(job.job.pgid, job.job.pid, 'the job leads its own process group');
    assert.match(job.job.startTicks ?? '', /^\d+$/);
  });
});
