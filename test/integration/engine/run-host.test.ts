// The CLI as a run host (issue 13, cases 2 and 6): SIGHUP (terminal closed) and SIGTERM are recorded in the journal;
// after SIGHUP the run goes on detached and `backout attach` answers its gate through the run folder; a cancel is a
// request written into the run folder that the run host honours, never a signal.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backout, backoutAsync, cliEntry, cliEnv, testProcedures } from '../../unit/cli/cli-process';
import { killTree, until } from './processes';

interface Scenario {
  runs: string;
  work: string;
  env: Record<string, string>;
}

function scenario(): Scenario {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-host-'));
  const work = path.join(base, 'work');
  fs.mkdirSync(work);
  return { runs: path.join(base, 'runs'), work, env: { BACKOUT_RUNS_DIR: path.join(base, 'runs') } };
}

const ALL = ['prepare', 'verified', 'unverified', 'fan-out-node-a', 'fan-out-node-b', 'fan-out-node-c', 'destroy', 'finish'];
const release = (s: Scenario, names: readonly string[]): void => names.forEach((n) => fs.writeFileSync(path.join(s.work, `release-${n}`), ''));
const effects = (s: Scenario): string[] => {
  const f = path.join(s.work, 'effects.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
};
const runIdOf = (s: Scenario): string | undefined => (fs.existsSync(s.runs) ? fs.readdirSync(s.runs).find((n) => /^\d{8}-/.test(n)) : undefined);
const journal = (s: Scenario): Array<Record<string, unknown>> => {
  const id = runIdOf(s);
  const f = id ? path.join(s.runs, id, 'journal.jsonl') : '';
  if (!id || !fs.existsSync(f)) return [];
  return fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
};

describe('the CLI as a run host', function () {
  this.timeout(60_000);
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) killTree(pid);
  });

  it('records SIGHUP in the journal and goes on with the run, detached (case 2)', async () => {
    const s = scenario();
    release(s, ['prepare']);
    const { child, done } = backoutAsync(['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${s.work}`, '-p', 'hold=true', '--yes'], s.env);
    started.push(child.pid as number);
    await until(() => effects(s).includes('verified'), 'verified to start');
    child.kill('SIGHUP');
    await until(() => journal(s).some((e) => e.type === 'host' && e.signal === 'SIGHUP'), 'the SIGHUP to be journaled');
    release(s, ALL);
    const r = await done;
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(effects(s).filter((e) => e === 'destroy'), ['destroy']);
    const last = journal(s).at(-1);
    assert.equal(last?.type, 'run-finished');
    assert.equal(last?.outcome, 'succeeded');
  });

  it('records SIGTERM in the journal and ends the run cancelled, resumable', async () => {
    const s = scenario();
    const { child, done } = backoutAsync(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${s.work}`], s.env);
    started.push(child.pid as number);
    await until(() => effects(s).includes('started'), 'the step to start');
    child.kill('SIGTERM');
    await done;
    const events = journal(s);
    assert.ok(events.some((e) => e.type === 'host' && e.signal === 'SIGTERM'), 'SIGTERM journaled');
    const last = events.at(-1);
    assert.equal(last?.type, 'run-finished');
    assert.equal(last?.outcome, 'cancelled');
    assert.match(String(last?.reason), /SIGTERM/);
  });

  it('cancels through a request in the run folder that the run host honours (case 6)', async () => {
    const s = scenario();
    const { child, done } = backoutAsync(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${s.work}`], s.env);
    started.push(child.pid as number);
    await until(() => effects(s).includes('started'), 'the step to start');
    const c = backout(['cancel', runIdOf(s) as string], s.env);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /Cancel requested for run/);
    const r = await done;
    assert.equal(r.code, 6, `${r.stdout}\n${r.stderr}`);
    const events = journal(s);
    assert.ok(events.some((e) => e.type === 'warning' && /Cancel requested by .* via backout cancel/.test(String(e.message))));
    assert.equal(events.at(-1)?.outcome, 'cancelled');
  });

  it('refuses a cancel request for a run that is not running, signalling nothing', () => {
    const s = scenario();
    const r0 = backout(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${s.work}`, '-p', 'seconds=0'], s.env);
    assert.equal(r0.code, 0, r0.stderr);
    const r = backout(['cancel', runIdOf(s) as string], s.env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /has ended \(succeeded\); there is nothing to cancel/);
  });

  it('after the terminal goes away, asks its gate through the run folder, and `backout attach` answers it (who answered is journaled)', async () => {
    const s = scenario();
    release(s, ALL);
    // A real terminal: `script` gives the CLI a pty; killing `script` closes it, and the CLI gets SIGHUP.
    const command = [process.execPath, cliEntry, 'run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${s.work}`, '-p', 'hold=true']
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
      .join(' ');
    const term = spawn('script', ['-qfec', command, '/dev/null'], { env: cliEnv(s.env), stdio: ['pipe', 'pipe', 'pipe'] });
    started.push(term.pid as number);
    let screen = '';
    term.stdout.on('data', (c: Buffer) => (screen += c.toString()));
    await until(() => /Proceed\? \[y\/N\]/.test(screen), 'the gate to be asked on the terminal', 30_000);
    // The terminal goes away.
    term.kill('SIGKILL');
    await until(() => journal(s).some((e) => e.type === 'host' && e.signal === 'SIGHUP'), 'the SIGHUP to be journaled');
    const question = path.join(s.runs, runIdOf(s) as string, 'control', 'question.json');
    await until(() => fs.existsSync(question), 'the gate to be asked through the run folder');
    assert.deepEqual(effects(s).filter((e) => e === 'destroy'), [], 'not run before it is confirmed');
    const attached = backout(['attach', runIdOf(s) as string, '--yes'], s.env);
    assert.equal(attached.code, 0, `${attached.stdout}\n${attached.stderr}`);
    assert.match(attached.stdout, /destroy \/ lab: running/);
    assert.deepEqual(effects(s).filter((e) => e === 'destroy'), ['destroy']);
    const confirmed = journal(s).find((e) => e.type === 'step' && e.step === 'destroy' && e.state === 'running') as { confirmation?: { by: string; method: string } };
    assert.match(confirmed.confirmation?.method ?? '', /via backout attach \(--yes flag\)/);
    assert.match(confirmed.confirmation?.by ?? '', /@/);
  });
});
