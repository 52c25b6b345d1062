// The local executor on real child processes: streaming, exit codes, no shell, cancellation of the whole tree.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalCommandError, LocalExecutor } from '../../../src/adapters/local/local-executor';
import type { LocalAction } from '../../../src/core/plan';
import type { ExecutionResult } from '../../../src/core/ports';
import { alive, until } from './processes';

interface Captured {
  lines: Array<{ stream: string; text: string; at: number }>;
  result: Promise<ExecutionResult>;
}

function run(action: LocalAction, signal = new AbortController().signal, executor = new LocalExecutor()): Captured {
  const lines: Captured['lines'] = [];
  const result = executor.execute({
    action,
    target: { kind: 'lab', name: 'lab', production: false },
    step: 's',
    instance: 'i',
    signal,
    output: { line: (stream, text) => lines.push({ stream, text, at: Date.now() }) },
  });
  return { lines, result };
}

const sh = (script: string): LocalAction => ({ kind: 'local', argv: ['sh', '-c', script] });

describe('local executor (real processes)', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-local-'));
  });

  it('gives no child the secrets the CLI takes from BACKOUT_SECRET_*, even when an action names one', async () => {
    process.env.BACKOUT_SECRET_ADMINPASSWORD = 'canary-3c9e';
    try {
      const c = run({ ...sh('env'), env: { BACKOUT_SECRET_OTHER: 'canary-2', KEPT: 'yes' } });
      assert.equal((await c.result).exitCode, 0);
      const env = c.lines.map((l) => l.text);
      assert.ok(env.includes('KEPT=yes'));
      assert.ok(!env.some((l) => l.startsWith('BACKOUT_SECRET_') || l.includes('canary')), env.filter((l) => l.includes('BACKOUT')).join(', '));
    } finally {
      delete process.env.BACKOUT_SECRET_ADMINPASSWORD;
    }
  });

  it('streams stdout and stderr line by line while the process runs', async () => {
    const c = run(sh('echo first; echo oops >&2; sleep 0.4; printf last'));
    await until(() => c.lines.length >= 2, 'the first lines');
    const early = Date.now();
    const r = await c.result;
    assert.equal(r.exitCode, 0);
    assert.deepEqual(c.lines.map((l) => [l.stream, l.text]), [
      ['stdout', 'first'],
      ['stderr', 'oops'],
      ['stdout', 'last'],
    ]);
    assert.ok((c.lines[2]?.at ?? 0) - early >= 200, 'the first lines arrived well before the end');
  });

  it('reports the exit code in full', async () => {
    assert.equal((await run(sh('exit 42')).result).exitCode, 42);
  });

  it('reports a process killed by a signal', async () => {
    const r = await run(sh('kill -KILL $$')).result;
    assert.equal(r.exitCode, 137);
    assert.equal(r.detail, 'killed by SIGKILL');
  });

  it('passes arguments literally, without a shell to inject into', async () => {
    const marker = path.join(dir, 'pwned');
    const c = run({ kind: 'local', argv: ['echo', `$(touch ${marker})`, '; rm -rf /', '"quoted" and spaced'] });
    await c.result;
    assert.equal(fs.existsSync(marker), false);
    assert.equal(c.lines[0]?.text, `$(touch ${marker}) ; rm -rf / "quoted" and spaced`);
  });

  it('applies the working directory and environment of the action', async () => {
    const c = run({ kind: 'local', argv: ['sh', '-c', 'pwd; echo "$GREETING"'], cwd: dir, env: { GREETING: 'hello there' } });
    await c.result;
    assert.deepEqual(c.lines.map((l) => l.text), [fs.realpathSync(dir), 'hello there']);
  });

  it('stops the process and everything it started when aborted', async () => {
    const controller = new AbortController();
    const c = run(sh(`sleep 30 & echo $! > '${dir}/child'; wait`), controller.signal);
    await until(() => fs.existsSync(`${dir}/child`) && fs.readFileSync(`${dir}/child`, 'utf8').trim() !== '', 'the grandchild');
    const grandchild = Number(fs.readFileSync(`${dir}/child`, 'utf8'));
    controller.abort(new Error('stop'));
    await assert.rejects(c.result, /stop/);
    await until(() => !alive(grandchild), 'the grandchild to die', 5000);
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const controller = new AbortController();
    const c = run(sh(`trap '' TERM; echo ready; while true; do sleep 0.05; done`), controller.signal, new LocalExecutor({ killGraceMs: 200 }));
    await until(() => c.lines.some((l) => l.text === 'ready'), 'the trap to be set');
    const t0 = Date.now();
    controller.abort(new Error('stop'));
    await assert.rejects(c.result, /stop/);
    assert.ok(Date.now() - t0 >= 200, 'it waited for the grace period');
  });

  it('says which command could not be started', async () => {
    await assert.rejects(run({ kind: 'local', argv: ['no-such-tool-xyz', 'x'] }).result, (e: unknown) => e instanceof LocalCommandError && /"no-such-tool-xyz" could not be started/.test(e.message));
  });
});
