// Crash torture (issue 13): the run host (the real `backout` CLI) is killed with SIGKILL, SIGTERM and SIGHUP at every
// journal event boundary of a run (and again inside the resume that follows a SIGKILL), and at three points inside
// every action; then the run is resumed to its end. The lab is the effects file every action appends to. For every
// kill point: each non-idempotent effect happened exactly once, no journal record was lost (no effect without the
// `running` record that precedes it; every session's first record there), the journal reads whole, the run
// succeeded. Prints the kill points tried and the doubles found.
import { mapBounded } from '../../../src/core/pool';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseJournal, type JournalEvent } from '../../../src/core/journal';
import { cliEntry, cliEnv, repoRoot } from '../../unit/cli/cli-process';
import { KILL_POINTS_INSIDE, TORTURE_ACTIONS } from './fixtures/procedures';
import { localTally, record } from './tally';

const procedures = path.join(repoRoot, 'out', 'test', 'integration', 'torture', 'fixtures', 'procedures.js');
type KillSignal = 'SIGKILL' | 'SIGTERM' | 'SIGHUP';
const SIGNALS: readonly KillSignal[] = ['SIGKILL', 'SIGTERM', 'SIGHUP'];
/** Scenarios run three at a time: the runs mostly wait (the machine is shared, keep it modest). */
const PARALLEL = 3;

interface Lab {
  work: string;
  runs: string;
  env: Record<string, string>;
}

interface Session {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Outcome {
  label: string;
  killsFired: number;
  doubles: string[];
  problems: string[];
}

function lab(): Lab {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-torture-'));
  const work = path.join(base, 'work');
  fs.mkdirSync(work);
  const runs = path.join(base, 'runs');
  return { work, runs, env: { BACKOUT_RUNS_DIR: runs, BACKOUT_LOCKS_DIR: path.join(base, 'locks') } };
}

/** One session of the run host; the host's pid goes to work/host-pid for actions that kill it from inside. */
function session(l: Lab, args: string[], killAt?: { event: number; signal: KillSignal }): Promise<Session> {
  const env = { ...l.env, ...(killAt ? { BACKOUT_TEST_KILL_AT_EVENT: `${killAt.event}:${killAt.signal}` } : {}) };
  const child = spawn(process.execPath, [cliEntry, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  fs.writeFileSync(path.join(l.work, 'host-pid'), String(child.pid));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      fs.rmSync(path.join(l.work, 'host-pid'), { force: true });
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

const runIdOf = (l: Lab): string | undefined => (fs.existsSync(l.runs) ? fs.readdirSync(l.runs).find((n) => /^\d{8}-/.test(n)) : undefined);

function journalText(l: Lab): string {
  const id = runIdOf(l);
  return id ? fs.readFileSync(path.join(l.runs, id, 'journal.jsonl'), 'utf8') : '';
}

function events(l: Lab): JournalEvent[] {
  return parseJournal(journalText(l), 'journal').events;
}

function effects(l: Lab): string[] {
  const f = path.join(l.work, 'effects.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * The operator at a resume: for a step that may have run and that its verification leaves open, look at the lab and
 * say. Only the step without verification can have its effect in place and still be asked about.
 */
function operatorAnswer(l: Lab): 'completed' | 'rerun' {
  const last = new Map<string, string>();
  for (const e of events(l)) if (e.type === 'step') last.set(`${e.step}/${e.instance}`, e.state);
  const note = last.get('note/lab');
  return note !== undefined && note !== 'succeeded' && note !== 'planned' && effects(l).includes('note') ? 'completed' : 'rerun';
}

/** Whether the session's kill point fired: killed by SIGKILL, or the signal journaled by the host. */
function fired(s: Session, before: number, l: Lab, signal: KillSignal): boolean {
  if (signal === 'SIGKILL') return s.signal === 'SIGKILL';
  return events(l)
    .slice(before)
    .some((e) => e.type === 'host' && e.signal === signal);
}

async function scenario(label: string, setup: (l: Lab) => void, first?: { event: number; signal: KillSignal }, second?: { event: number; signal: KillSignal }): Promise<Outcome> {
  const l = lab();
  setup(l);
  const problems: string[] = [];
  let killsFired = 0;
  let sessions = 1;
  const s1 = await session(l, ['run', 'test-torture', '--procedures', procedures, '-p', `dir=${l.work}`, '--yes'], first);
  if (first && fired(s1, 0, l, first.signal)) killsFired++;
  for (let round = 0; round < 6; round++) {
    const status = journalStatus(l);
    if (status === 'succeeded') break;
    if (runIdOf(l) === undefined) {
      problems.push(`no run folder after the first session: ${s1.stderr.trim()}`);
      break;
    }
    const before = events(l).length;
    const kill = round === 0 ? second : undefined;
    const s = await session(l, ['resume', runIdOf(l) as string, '--yes', '--if-interrupted', operatorAnswer(l)], kill);
    sessions++;
    if (kill && fired(s, before, l, kill.signal)) killsFired++;
    if (s.code !== 0 && !kill && journalStatus(l) !== 'succeeded') problems.push(`resume ${round + 1} ended ${s.code ?? s.signal}: ${s.stdout.split('\n').slice(-4).join(' | ')} ${s.stderr.trim()}`);
  }
  // Inside-action kill files that fired are gone; count them.
  killsFired += plantedKillFiles(l) - countKillFiles(l);
  const doubles: string[] = [];
  const seen = effects(l);
  for (const a of TORTURE_ACTIONS) {
    const n = seen.filter((e) => e === a.name).length;
    if (!a.idempotent && n > 1) doubles.push(`${a.name} ×${n}`);
    if (n === 0) problems.push(`${a.name} never happened`);
  }
  const parsed = parseJournal(journalText(l), 'journal');
  if (parsed.torn) problems.push(`the journal ends in a torn line: ${parsed.torn.text}`);
  const evs = parsed.events;
  const starts = evs.filter((e) => e.type === 'run-started' || e.type === 'run-resumed').length;
  if (starts !== sessions) problems.push(`${sessions} sessions but ${starts} run-started/run-resumed records`);
  for (const a of TORTURE_ACTIONS) {
    const [step, instance] = a.unit.split('/');
    const running = evs.filter((e) => e.type === 'step' && e.step === step && e.instance === instance && e.state === 'running').length;
    const n = seen.filter((e) => e === a.name).length;
    if (n > running) problems.push(`${a.name}: ${n} effects but ${running} running records (a record was lost)`);
  }
  const status = journalStatus(l);
  if (status !== 'succeeded') problems.push(`the run ended ${status}`);
  return { label, killsFired, doubles, problems };
}

function plantedKillFiles(l: Lab): number {
  return Number(fs.existsSync(path.join(l.work, 'planted')) ? fs.readFileSync(path.join(l.work, 'planted'), 'utf8') : '0');
}

function countKillFiles(l: Lab): number {
  return fs.readdirSync(l.work).filter((n) => n.startsWith('kill-')).length;
}

function journalStatus(l: Lab): string {
  const evs = events(l);
  const last = [...evs].reverse().find((e) => e.type === 'run-finished' || e.type === 'run-resumed');
  return last?.type === 'run-finished' ? last.outcome : 'unfinished';
}

describe('crash torture: the run host killed at every journal boundary and inside every action', function () {
  this.timeout(900_000);
  const outcomes: Outcome[] = [];
  // Set when the suite starts: at load time it would also count every suite that runs before this one.
  let t0 = 0;
  let boundaries = 0;

  before(async () => {
    t0 = Date.now();
    // A run with no kill tells how many journal events a session writes: every boundary is a kill point.
    const l = lab();
    const s = await session(l, ['run', 'test-torture', '--procedures', procedures, '-p', `dir=${l.work}`, '--yes']);
    assert.equal(s.code, 0, `${s.stdout}\n${s.stderr}`);
    boundaries = events(l).length;
  });

  after(() => {
    const kills = outcomes.reduce((n, o) => n + o.killsFired, 0);
    const { doubles, problems } = record(localTally, outcomes, kills);
    // The tier's figures, for the CI log.
    console.log(
      `      crash torture: ${outcomes.length} scenarios, ${kills} kill points fired (${boundaries} journal boundaries × ${SIGNALS.length} signals, ` +
        `a second kill in the first resume after SIGKILL and SIGTERM, ${KILL_POINTS_INSIDE.length} points inside each of ${TORTURE_ACTIONS.length} actions × ${SIGNALS.length} signals); ` +
        `doubles found: ${doubles.length}; lost records or other problems: ${problems.length}; ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    assert.ok(kills >= 200, `at least 200 kill points fired (got ${kills})`);
  });

  const check = (results: Outcome[]): void => {
    outcomes.push(...results);
    const bad = results.filter((o) => o.doubles.length > 0 || o.problems.length > 0);
    assert.deepEqual(
      bad.map((o) => `${o.label}: ${[...o.doubles.map((d) => `DOUBLE ${d}`), ...o.problems].join('; ')}`),
      [],
    );
  };

  for (const signal of SIGNALS) {
    it(`finishes every run exactly once after ${signal} at each journal boundary`, async () => {
      const points = Array.from({ length: boundaries }, (_, i) => i + 1);
      // After a SIGKILL or SIGTERM the resume is killed too, at a boundary of its own (after a SIGKILL its orphaned
      // job may still be running then).
      const results = await mapBounded(points, PARALLEL, (n) =>
        scenario(`${signal} at event ${n}`, () => undefined, { event: n, signal }, signal !== 'SIGHUP' ? { event: 2 + (n % 6), signal } : undefined),
      );
      check(results);
    });
  }

  it('finishes every run exactly once after a kill at each point inside each action', async () => {
    const cases = TORTURE_ACTIONS.flatMap((a) => KILL_POINTS_INSIDE.flatMap((p) => SIGNALS.map((signal) => ({ a: a.name, p, signal }))));
    const results = await mapBounded(cases, PARALLEL, (c) =>
      scenario(`${c.signal} inside ${c.a} (${c.p})`, (l) => {
        fs.writeFileSync(path.join(l.work, `kill-${c.a}-${c.p}`), c.signal.replace(/^SIG/, ''));
        fs.writeFileSync(path.join(l.work, 'planted'), '1');
      }),
    );
    check(results);
  });
});
