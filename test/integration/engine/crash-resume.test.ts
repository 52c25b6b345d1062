// A run of the real CLI is killed (the whole process tree, SIGKILL) at every step boundary and in the middle of
// every action, then resumed. Every non-idempotent action must have taken effect exactly once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backout, backoutAsync, testProcedures } from '../../unit/cli/cli-process';
import { killTree, until } from './processes';

// Actions of test-sequence in plan order (fan-out runs two at a time), and which may legitimately run twice.
const ACTIONS = ['prepare', 'verified', 'unverified', 'fan-out-node-a', 'fan-out-node-b', 'fan-out-node-c', 'destroy', 'finish'] as const;
type ActionName = (typeof ACTIONS)[number];
const IDEMPOTENT = new Set<string>(['prepare', 'finish']);
const UNIT: Record<ActionName, string> = {
  prepare: 'prepare/lab',
  verified: 'verified/lab',
  unverified: 'unverified/lab',
  'fan-out-node-a': 'fan-out/node-a',
  'fan-out-node-b': 'fan-out/node-b',
  'fan-out-node-c': 'fan-out/node-c',
  destroy: 'destroy/lab',
  finish: 'finish/lab',
};

/** Where the kill happens relative to one action. */
type KillPoint = 'running-recorded' | 'mid-action' | 'succeeded-recorded';

interface Scenario {
  runs: string;
  work: string;
  env: Record<string, string>;
}

function scenario(): Scenario {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-crash-'));
  const runs = path.join(base, 'runs');
  const work = path.join(base, 'work');
  fs.mkdirSync(work);
  return { runs, work, env: { BACKOUT_RUNS_DIR: runs } };
}

function release(s: Scenario, name: string): void {
  fs.writeFileSync(path.join(s.work, `release-${name}`), '');
}

function effects(s: Scenario): string[] {
  const f = path.join(s.work, 'effects.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
}

function runId(s: Scenario): string | undefined {
  return fs.existsSync(s.runs) ? fs.readdirSync(s.runs).find((n) => /^\d{8}-/.test(n)) : undefined;
}

/** Step events recorded so far, as "step/instance:state". */
function recorded(s: Scenario): string[] {
  const id = runId(s);
  if (!id) return [];
  const file = path.join(s.runs, id, 'journal.jsonl');
  if (!fs.existsSync(file)) return [];
  const out: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    try {
      const e = JSON.parse(line) as { type: string; step: string; instance: string; state: string };
      if (e.type === 'step') out.push(`${e.step}/${e.instance}:${e.state}`);
    } catch {
      // A line being written.
    }
  }
  return out;
}

const start = (s: Scenario): ReturnType<typeof backoutAsync> =>
  backoutAsync(['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${s.work}`, '-p', 'hold=true', '--yes'], s.env);

async function crashAt(s: Scenario, action: ActionName, point: KillPoint): Promise<void> {
  // Let every action before this one finish at once.
  for (const a of ACTIONS.slice(0, ACTIONS.indexOf(action))) release(s, a);
  if (point === 'succeeded-recorded') release(s, action);
  const { child, done } = start(s);
  const condition: Record<KillPoint, () => boolean> = {
    'running-recorded': () => recorded(s).includes(`${UNIT[action]}:running`),
    'mid-action': () => effects(s).includes(action),
    'succeeded-recorded': () => recorded(s).includes(`${UNIT[action]}:succeeded`),
  };
  let failure: Error | undefined;
  await until(condition[point], `${action} ${point}`).catch((err: Error) => {
    failure = err;
  });
  killTree(child.pid as number);
  const r = await done;
  if (failure) {
    throw new Error(`${failure.message}; journal: ${recorded(s).join(' ')}; effects: ${effects(s).join(' ')}; exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  assert.notEqual(r.code, 0, 'the run was killed before it finished');
}

/**
 * The operator's answer for a step that may already have run and that its verification does not settle: look at the
 * target (the effects file) and say. Verified steps are asked about only when their verification finds them not done,
 * so the answer is "rerun" unless the step without verification was caught mid-way with its effect in place.
 */
export function operatorAnswer(s: Scenario): 'completed' | 'rerun' {
  const last = new Map<string, string>();
  for (const r of recorded(s)) {
    const at = r.lastIndexOf(':');
    last.set(r.slice(0, at), r.slice(at + 1));
  }
  return last.get(UNIT.unverified) === 'running' && effects(s).includes('unverified') ? 'completed' : 'rerun';
}

function resume(s: Scenario): ReturnType<typeof backout> {
  for (const a of ACTIONS) release(s, a);
  return backout(['resume', runId(s) as string, '--yes', '--if-interrupted', operatorAnswer(s)], s.env);
}

function assertExactlyOnce(s: Scenario): void {
  const seen = effects(s);
  for (const a of ACTIONS) {
    const n = seen.filter((e) => e === a).length;
    if (IDEMPOTENT.has(a)) assert.ok(n >= 1, `${a} ran at least once`);
    else assert.equal(n, 1, `${a} ran exactly once (effects: ${seen.join(', ')})`);
  }
}

describe('crash and resume (real processes, SIGKILL)', function () {
  this.timeout(60_000);

  for (const action of ACTIONS) {
    // After the last action succeeds the run is over: there is no boundary left to kill at.
    const points: KillPoint[] = action === 'finish' ? ['running-recorded', 'mid-action'] : ['running-recorded', 'mid-action', 'succeeded-recorded'];
    for (const point of points) {
      it(`finishes with every non-idempotent action done once after a kill at "${point}" of ${action}`, async () => {
        const s = scenario();
        await crashAt(s, action, point);
        const r = resume(s);
        assert.equal(r.code, 0, `resume failed:\n${r.stdout}\n${r.stderr}`);
        assertExactlyOnce(s);
        const show = backout(['show', runId(s) as string, '--json'], s.env);
        assert.equal(show.code, 0, show.stderr);
        assert.equal((JSON.parse(show.stdout) as { status: string }).status, 'succeeded');
      });
    }
  }

  it('takes over the dead run\'s lock on resume and says so in the journal', async () => {
    const s = scenario();
    await crashAt(s, 'verified', 'mid-action');
    assert.equal(resume(s).code, 0);
    const journal = fs.readFileSync(path.join(s.runs, runId(s) as string, 'journal.jsonl'), 'utf8');
    assert.match(journal, /Took over the lock of lab lab from run \d{8}-\d{6}-test-sequence-[0-9a-f]{4} \(pid \d+/);
  });

  it('survives a second kill during the resume', async () => {
    const s = scenario();
    await crashAt(s, 'verified', 'mid-action');
    // Resume while still holding the fan-out, and kill it again in the middle of node-b.
    for (const a of ['verified', 'unverified', 'fan-out-node-a']) release(s, a);
    const { child, done } = backoutAsync(['resume', runId(s) as string, '--yes', '--if-interrupted', 'rerun'], s.env);
    await until(() => effects(s).includes('fan-out-node-b'), 'node-b to start in the resumed run');
    killTree(child.pid as number);
    await done;
    assert.equal(resume(s).code, 0);
    assertExactlyOnce(s);
  });

  it('ignores a torn last journal line left by the crash, shows it, and removes it on resume', async () => {
    const s = scenario();
    await crashAt(s, 'verified', 'mid-action');
    const journal = path.join(s.runs, runId(s) as string, 'journal.jsonl');
    fs.appendFileSync(journal, '{"type":"step","at":"2026-11-22T10:00:00.000Z","step":"verified","inst');
    const shown = backout(['show', runId(s) as string], s.env);
    assert.match(shown.stdout, /the last journal line \(\d+\) is torn and is ignored; resume removes it/);
    const r = resume(s);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /warning: Ignored a torn last line \(line \d+\)/);
    assertExactlyOnce(s);
  });

  it('is told at resume which step was caught running and how it was settled', async () => {
    const s = scenario();
    await crashAt(s, 'verified', 'mid-action');
    const r = resume(s);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /verified \/ lab: cancelled — interrupted: the process running it stopped before it finished/);
    assert.match(r.stdout, /verified \/ lab: succeeded — verified after it was interrupted: effects\.log holds verified/);
  });

  it('asks the operator (here by flag) about the step that has no verification', async () => {
    const s = scenario();
    await crashAt(s, 'unverified', 'mid-action');
    const r = resume(s);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /unverified \/ lab: succeeded — marked completed by .* after it was interrupted/);
  });

  it('refuses to guess about a step without verification when no answer can be given', async () => {
    const s = scenario();
    await crashAt(s, 'unverified', 'mid-action');
    for (const a of ACTIONS) release(s, a);
    const r = backout(['resume', runId(s) as string, '--yes'], s.env);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /pass --if-interrupted completed\|rerun\|skip\|stop/);
    assert.deepEqual(
      effects(s).filter((e) => e === 'unverified'),
      ['unverified'],
    );
  });
});
