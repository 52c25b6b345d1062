// Two backout processes contending for one target: the second is refused, naming the holder; a holder that died is
// taken over.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backout, backoutAsync, testProcedures } from '../../unit/cli/cli-process';
import { alive, killTree, until } from './processes';

describe('one run per target (two real processes)', function () {
  this.timeout(30_000);
  let runs: string;
  let work: string;
  let env: Record<string, string>;
  const started: Array<ReturnType<typeof backoutAsync>> = [];

  beforeEach(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-lock-'));
    runs = path.join(base, 'runs');
    work = path.join(base, 'work');
    fs.mkdirSync(work);
    env = { BACKOUT_RUNS_DIR: runs };
  });

  afterEach(async () => {
    for (const p of started.splice(0)) {
      killTree(p.child.pid as number);
      await p.done;
    }
  });

  const longRun = (dir: string, target = 'lab'): ReturnType<typeof backoutAsync> => {
    const p = backoutAsync(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${dir}`, '-p', `target=${target}`], env);
    started.push(p);
    return p;
  };
  const startedIn = (dir: string): boolean => fs.existsSync(path.join(dir, 'effects.log'));
  const firstRunId = (): string => fs.readdirSync(runs).find((n) => /^\d{8}-/.test(n)) as string;

  it('refuses a second run on a locked target, naming the holder run, pid and host', async () => {
    const first = longRun(work);
    await until(() => startedIn(work), 'the first run to start its step');
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-lock-w-'));
    const r = backout(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${other}`, '-p', 'seconds=0'], env);
    assert.equal(r.code, 3);
    assert.match(r.stderr, new RegExp(`Target lab lab is locked by run ${firstRunId()} \\(pid ${first.child.pid} on ${os.hostname()}`));
    assert.equal(startedIn(other), false, 'the second run did nothing');
  });


  it('lets runs on different targets proceed at the same time', async () => {
    longRun(work, 'lab');
    await until(() => startedIn(work), 'the first run');
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-lock-w-'));
    const r = backout(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${other}`, '-p', 'target=lab-2', '-p', 'seconds=0'], env);
    assert.equal(r.code, 0, r.stderr);
  });

  it('takes over the lock of a run whose process died, and records whose it was', async () => {
    const first = longRun(work);
    await until(() => startedIn(work), 'the first run');
    const deadId = firstRunId();
    killTree(first.child.pid as number);
    await first.done;
    assert.equal(alive(first.child.pid as number), false);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-lock-w-'));
    const r = backout(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${other}`, '-p', 'seconds=0'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`warning: Took over the lock of lab lab from run ${deadId} \\(pid ${first.child.pid}`));
  });

  it('lists a run whose process died as interrupted, and a live one as running', async () => {
    const first = longRun(work);
    await until(() => startedIn(work), 'the first run');
    assert.match(backout(['runs'], env).stdout, new RegExp(`running \\(pid ${first.child.pid}\\)`));
    killTree(first.child.pid as number);
    await first.done;
    assert.match(backout(['runs'], env).stdout, /interrupted +test-sleep +lab/);
  });

  const racers = (n: number): Array<ReturnType<typeof backoutAsync>> =>
    Array.from({ length: n }, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-lock-w-'));
      const p = backoutAsync(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${dir}`, '-p', 'seconds=1'], env);
      started.push(p);
      return p;
    });

  it('lets exactly one of several processes starting at once take a free target', async () => {
    const results = await Promise.all(racers(4).map((p) => p.done));
    assert.deepEqual(results.map((r) => r.code).sort(), [0, 3, 3, 3], results.map((r) => r.stderr).join('\n'));
  });

  it('lets exactly one of several processes take over the same stale lock', async () => {
    const dead = spawnSync('true').pid as number;
    const locks = path.join(path.dirname(runs), 'locks');
    fs.mkdirSync(locks, { recursive: true });
    const holder = { runId: '20261122-000000-dead-0000', pid: dead, hostname: os.hostname(), user: 'gone', startedAt: '2026-11-22T00:00:00.000Z', target: 'lab lab' };
    fs.writeFileSync(path.join(locks, 'lab--lab.lock'), JSON.stringify(holder));
    const results = await Promise.all(racers(4).map((p) => p.done));
    // The process that removed the stale lock need not be the one that then wins it; exactly one must win.
    assert.deepEqual(results.map((r) => r.code).sort(), [0, 3, 3, 3], results.map((r) => r.stderr).join('\n'));
    assert.ok(results.filter((r) => r.code === 3).every((r) => !r.stderr.includes('20261122-000000-dead-0000 (pid')), 'nobody is refused in the name of the dead run');
  });

  it('releases the lock when a run ends', () => {
    assert.equal(backout(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${work}`, '-p', 'seconds=0'], env).code, 0);
    assert.deepEqual(fs.readdirSync(path.join(path.dirname(runs), 'locks')), []);
  });

  it('excludes runs on one target whatever runs folder each uses: the lock folder is per user (issue 13, case 5)', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-lock-home-'));
    const first = backoutAsync(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${work}`], { BACKOUT_RUNS_DIR: path.join(home, 'runs-a'), BACKOUT_HOME: home });
    started.push(first);
    await until(() => startedIn(work), 'the first run');
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-lock-w-'));
    const r = backout(['run', 'test-sleep', '--procedures', testProcedures, '-p', `dir=${other}`, '-p', 'seconds=0'], { BACKOUT_RUNS_DIR: path.join(home, 'runs-b'), BACKOUT_HOME: home });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /is locked by run/);
    assert.equal(startedIn(other), false);
  });

  it('refuses to resume a run that is still going in another process, saying how to follow it (issue 13, case 3)', async () => {
    const first = longRun(work);
    await until(() => startedIn(work), 'the first run');
    const r = backout(['resume', firstRunId()], env);
    assert.equal(r.code, 3);
    assert.match(r.stderr, new RegExp(`Run ${firstRunId()} is already running \\(pid ${first.child.pid}.*backout attach ${firstRunId()}`));
  });
});
