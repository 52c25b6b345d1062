import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalExecutor } from '../../../src/adapters/local/local-executor';
import { RunFolder, RunFolderRepository } from '../../../src/adapters/local/run-folder';
import { isTimeout } from '../../../src/core/abort';
import { JournalCorruptError, RunAlreadyFinishedError, RunAlreadyRunningError } from '../../../src/core/errors';
import { resumeRun, startRun } from '../../../src/core/runs';
import type { LocalAction, Plan, Step } from '../../../src/core/plan';
import type { ExecutionResult, Executor, RunStorage } from '../../../src/core/ports';
import { Redactor, UnredactableSecretError } from '../../../src/core/redaction';
import { renderReport } from '../../../src/core/report';
import { loadRun, Runner, type RunHost } from '../../../src/core/runner';
import { environment, host, journalLines, labTarget, local, plan, readAll, RecordingExecutor, ScriptedPrompter, step, tempDir } from './engine-fixtures';

let root: string;
let seq = 0;

beforeEach(() => {
  root = tempDir();
});

async function newStorage(): Promise<RunFolder> {
  seq++;
  return (await new RunFolderRepository(root).create(`20261122-100000-test-${String(seq).padStart(4, '0')}`)) as RunFolder;
}

async function runPlan(p: Plan, h: RunHost, options: Parameters<typeof Runner.start>[3] = {}): Promise<{ runId: string; state: Awaited<ReturnType<Runner['execute']>> }> {
  const storage = await newStorage();
  const runner = await Runner.start(storage, p, h, options);
  const state = await runner.execute();
  await storage.close();
  return { runId: storage.runId, state };
}

function stepEvents(runId: string): string[] {
  return journalLines(root, runId)
    .filter((e) => e.type === 'step')
    .map((e) => `${String(e.step)}/${String(e.instance)}:${String(e.state)}`);
}

const never = (): Promise<ExecutionResult> => new Promise<ExecutionResult>(() => undefined);

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Starts a run whose action for `hang` never returns, and leaves it there as a crashed process would. */
async function crashedRun(p: Plan, recorder: RecordingExecutor, hangStep: string, prompter = new ScriptedPrompter({ confirm: [true, true, true] })): Promise<string> {
  const storage = await newStorage();
  const runner = await Runner.start(storage, p, host(recorder, prompter));
  void runner.execute();
  await until(() => recorder.calls.some((c) => c.step === hangStep), `step ${hangStep} to start`);
  return storage.runId;
}

async function resume(runId: string, h: RunHost, options: Parameters<typeof Runner.resume>[2] = {}): Promise<Awaited<ReturnType<Runner['execute']>>> {
  const storage = await new RunFolderRepository(root).open(runId);
  const runner = await Runner.resume(storage, h, options);
  const state = await runner.execute();
  await storage.close();
  return state;
}

describe('runner: a run from start to end', () => {
  it('runs every step in plan order and ends succeeded', async () => {
    const ex = new RecordingExecutor();
    const { runId, state } = await runPlan(plan([step('a'), step('b'), step('c')]), host(ex));
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(ex.calls.map((c) => c.step), ['a', 'b', 'c']);
    assert.deepEqual(stepEvents(runId), ['a/lab-1:running', 'a/lab-1:succeeded', 'b/lab-1:running', 'b/lab-1:succeeded', 'c/lab-1:running', 'c/lab-1:succeeded']);
    const last = journalLines(root, runId).at(-1);
    assert.deepEqual([last?.type, last?.outcome], ['run-finished', 'succeeded']);
  });

  it('records who started the run', async () => {
    const { runId } = await runPlan(plan([step('a')]), host(new RecordingExecutor()));
    assert.deepEqual(journalLines(root, runId)[0]?.by, { user: 'tester', host: 'testhost', pid: process.pid });
  });

  it("writes each step instance's output to its own log", async () => {
    const ex = new RecordingExecutor();
    const { runId } = await runPlan(plan([step('a', {}, [{ instance: 'n1', action: local('say', 'hello-n1') }, { instance: 'n2', action: local('say', 'hello-n2') }])]), host(ex));
    const n1 = fs.readFileSync(path.join(root, runId, 'logs', 'a', 'n1.log'), 'utf8');
    const n2 = fs.readFileSync(path.join(root, runId, 'logs', 'a', 'n2.log'), 'utf8');
    assert.match(n1, /stdout +hello-n1/);
    assert.doesNotMatch(n1, /hello-n2/);
    assert.match(n2, /stdout +hello-n2/);
  });

  it('makes the "running" event durable before the action starts', async () => {
    const order: string[] = [];
    const storage = await newStorage();
    const watched: RunStorage = Object.assign(Object.create(storage) as RunStorage, {
      appendJournal: (text: string) => {
        order.push(`append ${(JSON.parse(text) as { state?: string; type: string }).state ?? (JSON.parse(text) as { type: string }).type}`);
        storage.appendJournal(text);
      },
      syncJournal: async () => {
        order.push('sync');
        await storage.syncJournal();
      },
    });
    const ex = new RecordingExecutor({
      act: async () => {
        order.push('action');
        return { exitCode: 0 };
      },
    });
    await (await Runner.start(watched, plan([step('a', {}, [{ instance: 'x', action: local('act') }])]), host(ex))).execute();
    const i = order.indexOf('action');
    assert.deepEqual(order.slice(i - 2, i + 1), ['append running', 'sync', 'action']);
  });

  it('makes one fsync cover the starts of instances launched together (group commit)', async () => {
    const order: string[] = [];
    const storage = await newStorage();
    const watched: RunStorage = Object.assign(Object.create(storage) as RunStorage, {
      appendJournal: (text: string) => {
        const e = JSON.parse(text) as { state?: string; instance?: string };
        if (e.state === 'running') order.push(`running ${e.instance ?? ''}`);
        storage.appendJournal(text);
      },
      syncJournal: async () => {
        order.push('sync');
        await storage.syncJournal();
      },
    });
    const ex = new RecordingExecutor({
      act: async (req) => {
        order.push(`action ${req.instance}`);
        return { exitCode: 0 };
      },
    });
    const insts = ['a', 'b', 'c', 'd', 'e'].map((i) => ({ instance: i, action: local('act') }));
    await (await Runner.start(watched, plan([step('each', { concurrency: 5 }, insts)]), host(ex), { concurrency: 5 })).execute();
    const firstAction = order.findIndex((o) => o.startsWith('action'));
    assert.deepEqual(order.slice(0, firstAction), ['sync', 'running a', 'running b', 'running c', 'running d', 'running e', 'sync']);
    assert.equal(order.filter((o) => o === 'sync').length, 3, 'start of run, the five starts, end of run');
  });

  it('fails a step whose kind has no executor in this host, saying which kind', async () => {
    const p = plan([{ ...step('a'), kind: 'ssh', instances: [{ instance: 'dma-01', action: { kind: 'ssh', host: 'dma-01', command: 'ver' } }] }]);
    const { state } = await runPlan(p, host(new RecordingExecutor()));
    assert.equal(state.status, 'failed');
    assert.match(state.units.get('a/dma-01')?.reason ?? '', /needs a "ssh" executor/);
  });

  it('fails a step whose action exits non-zero, recording the exit code', async () => {
    const ex = new RecordingExecutor({ bad: async () => ({ exitCode: 3221225477, detail: 'access violation' }) });
    const { state } = await runPlan(plan([step('a', {}, [{ instance: 'x', action: local('bad') }]), step('b')]), host(ex));
    const unit = state.units.get('a/x');
    assert.equal(unit?.state, 'failed');
    assert.equal(unit?.exitCode, 3221225477);
    assert.match(unit?.reason ?? '', /exit code 3221225477 \(access violation\)/);
    assert.equal(ex.count('b'), 0);
  });

  it('fails a step whose verification does not pass after the action succeeded', async () => {
    const ex = new RecordingExecutor({ check: async () => ({ exitCode: 1 }) });
    const { state } = await runPlan(plan([step('a', {}, [{ instance: 'x', verify: { description: 'service stopped', action: local('check') } }])]), host(ex));
    assert.equal(state.units.get('a/x')?.state, 'failed');
    assert.match(state.units.get('a/x')?.reason ?? '', /verification failed: service stopped/);
  });

  it('fails a step whose verification output does not match what is expected', async () => {
    const ex = new RecordingExecutor({
      check: async (req) => {
        req.output.line('stdout', 'version 10.3.8');
        return { exitCode: 0 };
      },
    });
    const verify = { description: 'version is 10.3.4', action: local('check'), expectOutput: '^version 10\\.3\\.4$' };
    const { state } = await runPlan(plan([step('a', {}, [{ instance: 'x', verify }])]), host(ex));
    assert.match(state.units.get('a/x')?.reason ?? '', /does not match/);
  });
});

describe('runner: gates', () => {
  it('asks for confirmation naming the target before a destructive step, and records who confirmed', async () => {
    const prompter = new ScriptedPrompter({ confirm: [true] });
    const ex = new RecordingExecutor();
    const { runId } = await runPlan(plan([step('wipe', { destructive: true })]), host(ex, prompter));
    assert.deepEqual(prompter.asked.map((a) => [a.kind, a.target]), [['confirm', 'lab lab-1']]);
    assert.equal(ex.count('wipe'), 1);
    const running = journalLines(root, runId).find((e) => e.state === 'running') as { confirmation: { by: string; method: string; at: string } };
    assert.equal(running.confirmation.by, 'tester@testhost');
    assert.equal(running.confirmation.method, 'confirm via test script');
    assert.match(running.confirmation.at, /^\d{4}-\d\d-\d\dT/);
  });

  it('goes planned → awaiting-confirmation → running for a destructive step', async () => {
    const { runId } = await runPlan(plan([step('wipe', { destructive: true })]), host(new RecordingExecutor(), new ScriptedPrompter({ confirm: [true] })));
    assert.deepEqual(stepEvents(runId), ['wipe/lab-1:awaiting-confirmation', 'wipe/lab-1:running', 'wipe/lab-1:succeeded']);
  });

  it('never runs a declined destructive step, and ends the run cancelled', async () => {
    const ex = new RecordingExecutor();
    const { runId, state } = await runPlan(plan([step('wipe', { destructive: true }), step('after')]), host(ex, new ScriptedPrompter({ confirm: [false] })));
    assert.equal(ex.calls.length, 0);
    assert.equal(state.status, 'cancelled');
    assert.deepEqual(stepEvents(runId), ['wipe/lab-1:awaiting-confirmation', 'wipe/lab-1:cancelled']);
    assert.match(state.finishReason ?? '', /declined by tester@testhost/);
  });

  it('makes a production target be confirmed by typing its name', async () => {
    const prompter = new ScriptedPrompter({ typeToConfirm: ['prod-eu'] });
    const ex = new RecordingExecutor();
    const { state } = await runPlan(plan([step('wipe', { destructive: true })], { kind: 'dms', name: 'prod-eu', production: true }), host(ex, prompter));
    assert.deepEqual(prompter.asked.map((a) => [a.kind, a.expected]), [['typeToConfirm', 'prod-eu']]);
    assert.equal(state.status, 'succeeded');
    assert.match(state.units.get('wipe/lab-1')?.confirmations[0]?.method ?? '', /^typed-target-name/);
  });

  it('treats a wrongly typed production name as a refusal', async () => {
    const ex = new RecordingExecutor();
    const { state } = await runPlan(plan([step('wipe', { destructive: true })], { kind: 'dms', name: 'prod-eu', production: true }), host(ex, new ScriptedPrompter({ typeToConfirm: ['prod-us'] })));
    assert.equal(ex.calls.length, 0);
    assert.equal(state.status, 'cancelled');
  });

  it('asks once for all instances of a destructive fan-out step', async () => {
    const prompter = new ScriptedPrompter({ confirm: [true] });
    const ex = new RecordingExecutor();
    await runPlan(plan([step('wipe', { destructive: true }, [{ instance: 'a' }, { instance: 'b' }, { instance: 'c' }])]), host(ex, prompter));
    assert.equal(prompter.asked.length, 1);
    assert.equal(ex.count('wipe'), 3);
  });

  it('never asks before a step that is not destructive', async () => {
    const prompter = new ScriptedPrompter();
    await runPlan(plan([step('read'), step('look')]), host(new RecordingExecutor(), prompter));
    assert.equal(prompter.asked.length, 0);
  });
});

describe('runner: fan-out', () => {
  const slow = async (): Promise<ExecutionResult> => {
    await new Promise((r) => setTimeout(r, 15));
    return { exitCode: 0 };
  };
  const many = (n: number): Array<{ instance: string; action: ReturnType<typeof local> }> => Array.from({ length: n }, (_, i) => ({ instance: `n${i}`, action: local('slow') }));

  it("never runs more instances at once than the step's bound", async () => {
    const ex = new RecordingExecutor({ slow });
    await runPlan(plan([step('each', { concurrency: 3 }, many(10))]), host(ex));
    assert.equal(ex.calls.length, 10);
    assert.equal(ex.maxInFlight, 3);
  });

  it("never runs more instances at once than the run's bound either", async () => {
    const ex = new RecordingExecutor({ slow });
    await runPlan(plan([step('each', { concurrency: 8 }, many(10))]), host(ex), { concurrency: 2 });
    assert.equal(ex.maxInFlight, 2);
  });

  it('runs at most 4 instances at once by default', async () => {
    const ex = new RecordingExecutor({ slow });
    await runPlan(plan([step('each', {}, many(10))]), host(ex));
    assert.equal(ex.maxInFlight, 4);
  });

  it('starts no further instance after the first failure, and no later step', async () => {
    const ex = new RecordingExecutor({
      slow,
      boom: async () => ({ exitCode: 2 }),
    });
    const insts = [...many(2), { instance: 'bad', action: local('boom') }, ...many(5).map((m) => ({ ...m, instance: `late-${m.instance}` }))];
    const { state } = await runPlan(plan([step('each', { concurrency: 1 }, insts), step('after')]), host(ex));
    assert.deepEqual(ex.calls.map((c) => c.instance), ['n0', 'n1', 'bad']);
    assert.equal(state.status, 'failed');
    assert.match(state.finishReason ?? '', /step each failed on bad: exit code 2/);
    assert.equal(state.units.get('each/late-n0')?.state, 'planned');
    assert.equal(state.units.get('after/lab-1')?.state, 'planned');
  });

  it('attempts every instance of a failing step when told to continue, then stops the run', async () => {
    const ex = new RecordingExecutor({ slow, boom: async () => ({ exitCode: 2 }) });
    const insts = [{ instance: 'bad', action: local('boom') }, ...many(3)];
    const { state } = await runPlan(plan([step('each', { concurrency: 1 }, insts), step('after')]), host(ex), { stopOnFirstFailure: false });
    assert.equal(ex.count('each'), 4);
    assert.equal(ex.count('after'), 0);
    assert.equal(state.status, 'failed');
  });
});

describe('runner: cancellation and timeouts', () => {
  it('stops a running local process when the run is cancelled, and ends cancelled', async function () {
    this.timeout(15_000);
    const dir = tempDir();
    const pidFile = path.join(dir, 'pid');
    const p = plan([step('sleep', {}, [{ instance: 'x', action: { kind: 'local', argv: ['sh', '-c', `echo $$ > '${pidFile}'; exec sleep 30`] } }]), step('after')]);
    const controller = new AbortController();
    const storage = await newStorage();
    const runner = await Runner.start(storage, p, { ...host(new RecordingExecutor()), executors: { local: new LocalExecutor() } }, { signal: controller.signal });
    const done = runner.execute();
    await until(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '', 'the process to start');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    const t0 = Date.now();
    controller.abort(new Error('operator pressed stop'));
    const state = await done;
    const latency = Date.now() - t0;
    assert.equal(state.status, 'cancelled');
    assert.equal(state.units.get('sleep/x')?.state, 'cancelled');
    assert.equal(state.units.get('after/lab-1')?.state, 'planned');
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the sleeping process is gone');
    // Loose bound: the process is told to stop at once and killed after a grace period of 3 s.
    assert.ok(latency < 5000, `cancelled after ${latency} ms`);
  });

  it('passes the abort to the action, which sees the operator reason', async () => {
    let seen: unknown;
    const ex = new RecordingExecutor({
      wait: (req) =>
        new Promise<ExecutionResult>((_resolve, reject) => {
          req.signal.addEventListener('abort', () => {
            seen = req.signal.reason;
            reject(req.signal.reason);
          });
        }),
    });
    const controller = new AbortController();
    const storage = await newStorage();
    const runner = await Runner.start(storage, plan([step('a', {}, [{ instance: 'x', action: local('wait') }])]), host(ex), { signal: controller.signal });
    const done = runner.execute();
    await until(() => ex.calls.length === 1, 'the action');
    controller.abort(new Error('stop now'));
    const state = await done;
    assert.equal((seen as Error).message, 'stop now');
    assert.match(state.units.get('a/x')?.reason ?? '', /cancelled: stop now/);
  });

  it("fails a step that outlives its timeout, and the action sees a timeout", async () => {
    let seen: unknown;
    const ex = new RecordingExecutor({
      wait: (req) =>
        new Promise<ExecutionResult>((_resolve, reject) => {
          req.signal.addEventListener('abort', () => {
            seen = req.signal.reason;
            reject(req.signal.reason);
          });
        }),
    });
    const { state } = await runPlan(plan([step('a', { timeoutMs: 50 }, [{ instance: 'x', action: local('wait') }]), step('b')]), host(ex));
    assert.equal(isTimeout(seen), true);
    assert.equal(state.units.get('a/x')?.state, 'failed');
    assert.match(state.units.get('a/x')?.reason ?? '', /timed out after 50 ms/);
    assert.equal(state.status, 'failed');
    assert.equal(ex.count('b'), 0);
  });

  it('cancels a destructive step while it waits for confirmation', async () => {
    const controller = new AbortController();
    const prompter = new ScriptedPrompter();
    prompter.confirm = (q) =>
      new Promise<boolean>((_resolve, reject) => {
        q.signal?.addEventListener('abort', () => reject(q.signal?.reason));
      });
    const ex = new RecordingExecutor();
    const storage = await newStorage();
    const runner = await Runner.start(storage, plan([step('wipe', { destructive: true })]), host(ex, prompter), { signal: controller.signal });
    const done = runner.execute();
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const state = await done;
    assert.equal(ex.calls.length, 0);
    assert.equal(state.units.get('wipe/lab-1')?.state, 'cancelled');
    assert.equal(state.status, 'cancelled');
  });
});

describe('runner: wait and manual steps', () => {
  it('polls a wait check until it succeeds', async () => {
    let n = 0;
    const ex = new RecordingExecutor({ probe: async () => ({ exitCode: ++n >= 3 ? 0 : 1 }) });
    const p = plan([{ ...step('w'), kind: 'wait', instances: [{ instance: 'x', action: { kind: 'wait', description: 'pods ready', until: local('probe'), intervalMs: 5 } }] }]);
    const { state } = await runPlan(p, host(ex));
    assert.equal(state.status, 'succeeded');
    assert.equal(n, 3);
  });

  it('fails a wait at once when the check shows a known failure', async () => {
    const ex = new RecordingExecutor({
      probe: async (req) => {
        req.output.line('stdout', 'downgrade-xyz   0/1   Init:CrashLoopBackOff   3');
        return { exitCode: 1 };
      },
    });
    const p = plan([{ ...step('w'), kind: 'wait', instances: [{ instance: 'x', action: { kind: 'wait', description: 'job done', until: local('probe'), intervalMs: 5, failWhenOutputMatches: 'CrashLoopBackOff|Init:Error' } }] }]);
    const { state } = await runPlan(p, host(ex));
    assert.equal(ex.calls.length, 1);
    assert.match(state.units.get('w/x')?.reason ?? '', /failure seen while waiting: CrashLoopBackOff/);
  });

  it('fails a wait that never succeeds within the step timeout', async () => {
    const ex = new RecordingExecutor({ probe: async () => ({ exitCode: 1 }) });
    const p = plan([{ ...step('w', { timeoutMs: 60 }), kind: 'wait', instances: [{ instance: 'x', action: { kind: 'wait', description: 'never', until: local('probe'), intervalMs: 5 } }] }]);
    const { state } = await runPlan(p, host(ex));
    assert.match(state.units.get('w/x')?.reason ?? '', /timed out after 60 ms/);
  });

  it('says what the last check of a timed-out wait reported, so that the reason names what it waited on', async () => {
    let n = 0;
    const ex = new RecordingExecutor({ probe: async () => ({ exitCode: 1, detail: `${++n === 1 ? 2 : 1} pod(s) still use csi.storageos.com volumes` }) });
    const p = plan([{ ...step('w', { timeoutMs: 80 }), kind: 'wait', instances: [{ instance: 'x', action: { kind: 'wait', description: 'volumes released', until: local('probe'), intervalMs: 5 } }] }]);
    const { state } = await runPlan(p, host(ex));
    assert.ok(n >= 2, 'checked more than once');
    assert.match(state.units.get('w/x')?.reason ?? '', /^timed out after 80 ms; last check \d+: exit code 1 \(1 pod\(s\) still use csi\.storageos\.com volumes\)$/);
  });

  it('fails a wait at once when its check needs an executor this host lacks', async () => {
    const check = { kind: 'ssh' as const, host: 'dma-01', command: 'sc query SLDataMiner' };
    const p = plan([{ ...step('w', { timeoutMs: 5000 }), kind: 'wait', instances: [{ instance: 'x', action: { kind: 'wait', description: 'service up', until: check, intervalMs: 5 } }] }]);
    const t0 = Date.now();
    const { state } = await runPlan(p, host(new RecordingExecutor()));
    assert.match(state.units.get('w/x')?.reason ?? '', /needs a "ssh" executor/);
    assert.ok(Date.now() - t0 < 2000, 'without waiting for the timeout');
  });

  it('asks the user to carry out a manual step and records the answer', async () => {
    const prompter = new ScriptedPrompter({ pick: ['done'] });
    const p = plan([{ ...step('m'), kind: 'manual', instances: [{ instance: 'vm', action: { kind: 'manual', instructions: 'Restore the snapshot in vCenter' } }] }]);
    const { runId, state } = await runPlan(p, host(new RecordingExecutor(), prompter));
    assert.equal(state.status, 'succeeded');
    assert.match(fs.readFileSync(path.join(root, runId, 'logs', 'm', 'vm.log'), 'utf8'), /manual step answered "done" by tester@testhost/);
  });

  it('fails a manual step the user reports as failed', async () => {
    const p = plan([{ ...step('m'), kind: 'manual', instances: [{ instance: 'vm', action: { kind: 'manual', instructions: 'Restore' } }] }]);
    const { state } = await runPlan(p, host(new RecordingExecutor(), new ScriptedPrompter({ pick: ['failed'] })));
    assert.equal(state.units.get('m/vm')?.state, 'failed');
  });
});

describe('runner: resume', () => {
  it('never repeats finished steps when resuming after a failure', async () => {
    let fail = true;
    const ex = new RecordingExecutor({ flaky: async () => ({ exitCode: fail ? 1 : 0 }) });
    const p = plan([step('a'), step('b', { idempotent: true }, [{ instance: 'lab-1', action: local('flaky') }]), step('c')]);
    const { runId, state } = await runPlan(p, host(ex));
    assert.equal(state.status, 'failed');
    fail = false;
    const resumed = await resume(runId, host(ex));
    assert.equal(resumed.status, 'succeeded');
    assert.deepEqual(ex.calls.map((c) => c.step), ['a', 'b', 'b', 'c']);
    assert.deepEqual(stepEvents(runId).slice(-4), ['b/lab-1:running', 'b/lab-1:succeeded', 'c/lab-1:running', 'c/lab-1:succeeded']);
  });

  it('records a step caught running as interrupted (cancelled) when the run is reopened', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const runId = await crashedRun(plan([step('a', { idempotent: true }, [{ instance: 'lab-1', action: local('hang') }])]), ex, 'a');
    await resume(runId, host(new RecordingExecutor()));
    const interrupted = journalLines(root, runId).find((e) => e.state === 'cancelled');
    assert.match(String(interrupted?.reason), /interrupted: the process running it stopped/);
  });

  it('runs a step caught running again without asking when its endpoint proves the command never started', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const p = plan([step('a', { destructive: true }, [{ instance: 'lab-1', action: local('hang'), verify: { description: 'done', action: local('check') } }])]);
    const runId = await crashedRun(p, ex, 'a');
    let installed = false;
    const again = new RecordingExecutor({
      hang: async () => {
        installed = true;
        return { exitCode: 0 };
      },
      check: async () => ({ exitCode: installed ? 0 : 1 }),
    });
    const jobs: Executor<LocalAction> = {
      execute: (r) => again.execute(r),
      inspectJob: async () => ({ state: 'not-started', detail: 'no job status on lab-1' }),
    };
    const prompter = new ScriptedPrompter({ confirm: [true] });
    const state = await resume(runId, { ...host(jobs), prompter });
    assert.equal(again.ran('hang'), 1, 'run once, now');
    assert.equal(again.ran('check'), 1, 'verified once, after it ran: not before (it never ran)');
    assert.deepEqual(prompter.asked.map((q) => q.kind), ['confirm'], 'only the gate is asked, not what happened');
    assert.equal(state.status, 'succeeded');
    assert.match(String(journalLines(root, runId).filter((e) => e.state === 'running').at(-1)?.reason), /attempt 1 never started/);
  });

  it('waits for a remote job still running from the interrupted session and takes its exit code, never starting it again', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const p = plan([step('a', { destructive: true }, [{ instance: 'lab-1', action: local('hang') }])]);
    const runId = await crashedRun(p, ex, 'a');
    const again = new RecordingExecutor();
    let awaited = 0;
    const jobs: Executor<LocalAction> = {
      execute: (r) => again.execute(r),
      inspectJob: async () => ({ state: 'running', detail: 'process 7 on dma-01 is still running it' }),
      awaitJob: async () => {
        awaited++;
        return { state: 'exited', exitCode: 0, detail: 'exit code 0, recorded on dma-01 by its job wrapper' };
      },
    };
    const state = await resume(runId, { ...host(jobs), prompter: new ScriptedPrompter() });
    assert.equal(again.count('a'), 0);
    assert.equal(awaited, 1);
    assert.equal(state.units.get('a/lab-1')?.state, 'succeeded');
    assert.ok(state.warnings.some((w) => /still running from the interrupted session .*waiting for it to end, not starting it again/.test(w)));
  });

  it('after a cancel, waits for the remote job still running before verifying or asking, and never starts it again', async () => {
    const p = plan([step('a', {}, [{ instance: 'lab-1', action: local('install'), verify: { description: 'installed', action: local('check') } }])]);
    const storage = await newStorage();
    const cancel = new AbortController();
    const first = new RecordingExecutor({
      install: (req) => {
        req.job?.started({ kind: 'remote', endpoint: '127.0.0.1:22', jobId: 'job-a' });
        const left = new Promise<ExecutionResult>((_, reject) => req.signal.addEventListener('abort', () => reject(new Error('left running'))));
        cancel.abort();
        return left;
      },
    });
    await (await Runner.start(storage, p, host(first), { signal: cancel.signal })).execute();
    await storage.close();
    let installed = false;
    const again = new RecordingExecutor({ check: async () => ({ exitCode: installed ? 0 : 1 }) });
    const jobs: Executor<LocalAction> = {
      execute: (r) => again.execute(r),
      inspectJob: async (q) => (q.identity?.kind === 'remote' ? { state: 'running', detail: 'process 7 is still running it' } : { state: 'unknown', detail: 'no identity' }),
      awaitJob: async () => {
        installed = true;
        return { state: 'exited', exitCode: 0, detail: 'exit code 0' };
      },
    };
    const state = await resume(storage.runId, { ...host(jobs), prompter: new ScriptedPrompter() });
    assert.equal(again.ran('install'), 0, 'never started again');
    assert.equal(state.units.get('a/lab-1')?.state, 'succeeded');
    assert.ok(state.warnings.some((w) => /still running on its endpoint after it was stopped here/.test(w)));
  });

  it('re-runs an idempotent step caught running', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const runId = await crashedRun(plan([step('a', { idempotent: true }, [{ instance: 'lab-1', action: local('hang') }])]), ex, 'a');
    const again = new RecordingExecutor({ hang: async () => ({ exitCode: 0 }) });
    const state = await resume(runId, host(again));
    assert.equal(again.count('a'), 1);
    assert.equal(state.units.get('a/lab-1')?.attempt, 2);
    assert.equal(state.status, 'succeeded');
    assert.match(String(journalLines(root, runId).filter((e) => e.state === 'running').at(-1)?.reason), /idempotent/);
  });

  it('does not re-run a non-idempotent step caught running when its verification finds it done', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const p = plan([step('a', {}, [{ instance: 'lab-1', action: local('hang'), verify: { description: 'package installed', action: local('check') } }]), step('b')]);
    const runId = await crashedRun(p, ex, 'a');
    const again = new RecordingExecutor({ check: async () => ({ exitCode: 0 }) });
    const state = await resume(runId, host(again));
    assert.equal(again.ran('hang'), 0);
    assert.equal(state.units.get('a/lab-1')?.state, 'succeeded');
    assert.match(state.units.get('a/lab-1')?.reason ?? '', /verified after it was interrupted: package installed/);
    assert.equal(again.count('b'), 1);
  });

  it('asks before re-running a non-idempotent step caught running whose verification finds it not done (it may have run in part)', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const p = plan([step('a', {}, [{ instance: 'lab-1', action: local('hang'), verify: { description: 'package installed', action: local('check') } }])]);
    const runId = await crashedRun(p, ex, 'a');
    let installed = false;
    const again = new RecordingExecutor({
      check: async () => ({ exitCode: installed ? 0 : 1 }),
      hang: async () => {
        installed = true;
        return { exitCode: 0 };
      },
    });
    const prompter = new ScriptedPrompter({ pick: ['rerun'] });
    const state = await resume(runId, { ...host(again), prompter });
    assert.equal(prompter.asked.length, 1, 'the user was asked');
    assert.match(prompter.asked[0]?.title ?? '', /was interrupted/);
    assert.equal(again.ran('hang'), 1);
    assert.equal(state.units.get('a/lab-1')?.state, 'succeeded');
  });

  it('keeps "may already have run" through a declined gate: the next resume verifies and asks again (issue 13, case 4)', async () => {
    const verify = { description: 'package installed', action: local('check') };
    const p = plan([step('a', { destructive: true }, [{ instance: 'lab-1', action: local('hang'), verify }])]);
    const runId = await crashedRun(p, new RecordingExecutor({ hang: never }), 'a');
    // First resume: not done by its verification, the user says run it again, then declines at the gate.
    const first = new RecordingExecutor({ check: async () => ({ exitCode: 1 }), hang: async () => ({ exitCode: 0 }) });
    const declined = await resume(runId, { ...host(first), prompter: new ScriptedPrompter({ pick: ['rerun'], confirm: [false] }) });
    assert.equal(declined.units.get('a/lab-1')?.state, 'cancelled');
    assert.equal(first.ran('hang'), 0);
    // Second resume: the verification runs again and the user is asked again, before any gate.
    const second = new RecordingExecutor({ check: async () => ({ exitCode: 1 }), hang: async () => ({ exitCode: 0 }) });
    const prompter = new ScriptedPrompter({ pick: ['stop'] });
    const state = await resume(runId, { ...host(second), prompter });
    assert.equal(second.ran('check'), 1, 'verification ran again');
    assert.deepEqual(prompter.asked.map((a) => a.kind), ['pick'], 'asked what happened, no gate first');
    assert.equal(second.ran('hang'), 0, 'not run again');
    assert.equal(state.units.get('a/lab-1')?.inDoubt, true);
  });

  it('keeps "may already have run" through a cancel during the gate and a second interruption', async () => {
    const verify = { description: 'package installed', action: local('check') };
    const p = plan([step('a', { destructive: true }, [{ instance: 'lab-1', action: local('hang'), verify }])]);
    const runId = await crashedRun(p, new RecordingExecutor({ hang: never }), 'a');
    // A resume that is itself abandoned at the gate (as if its process died there).
    const controller = new AbortController();
    const gatePrompter = new ScriptedPrompter({ pick: ['rerun'] });
    gatePrompter.confirm = async () => {
      controller.abort(new Error('cancelled from the panel'));
      return false;
    };
    await resume(runId, { ...host(new RecordingExecutor({ check: async () => ({ exitCode: 1 }) })), prompter: gatePrompter }, { signal: controller.signal });
    const again = new RecordingExecutor({ check: async () => ({ exitCode: 0 }), hang: async () => ({ exitCode: 0 }) });
    const state = await resume(runId, { ...host(again), prompter: new ScriptedPrompter({}) });
    assert.equal(again.ran('hang'), 0);
    assert.equal(state.units.get('a/lab-1')?.state, 'succeeded', 'settled by its verification, not by running it again');
    assert.equal(state.units.get('a/lab-1')?.inDoubt, false);
  });

  it('does not re-run by itself a non-idempotent step caught running whose verification finds it not done', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const p = plan([step('a', {}, [{ instance: 'lab-1', action: local('hang'), verify: { description: 'package installed', action: local('check') } }])]);
    const runId = await crashedRun(p, ex, 'a');
    const again = new RecordingExecutor({ check: async () => ({ exitCode: 1 }), hang: async () => ({ exitCode: 0 }) });
    const prompter = new ScriptedPrompter({ pick: ['stop'] });
    const state = await resume(runId, { ...host(again), prompter });
    assert.equal(again.ran('hang'), 0, 'not started again');
    assert.equal(state.status, 'cancelled');
    assert.equal(state.units.get('a/lab-1')?.inDoubt, true, 'still "may already have run"');
  });

  for (const [answer, runs, final] of [
    ['completed', 0, 'succeeded'],
    ['rerun', 1, 'succeeded'],
    ['skip', 0, 'skipped'],
  ] as const) {
    it(`asks the user about a non-idempotent, unverifiable step caught running; "${answer}" ${runs ? 'runs it again' : 'does not run it again'}`, async () => {
      const ex = new RecordingExecutor({ hang: never });
      const runId = await crashedRun(plan([step('a', {}, [{ instance: 'lab-1', action: local('hang') }]), step('b')]), ex, 'a');
      const prompter = new ScriptedPrompter({ pick: [answer] });
      const again = new RecordingExecutor({ hang: async () => ({ exitCode: 0 }) });
      const state = await resume(runId, host(again, prompter));
      assert.deepEqual(prompter.asked.map((a) => a.options), [['completed', 'rerun', 'skip', 'stop']]);
      assert.equal(again.count('a'), runs);
      assert.equal(state.units.get('a/lab-1')?.state, final);
      assert.equal(state.status, 'succeeded');
    });
  }

  it('leaves the run stopped when the user chooses to stop at an unverifiable step', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const runId = await crashedRun(plan([step('a', {}, [{ instance: 'lab-1', action: local('hang') }]), step('b')]), ex, 'a');
    const again = new RecordingExecutor();
    const state = await resume(runId, host(again, new ScriptedPrompter({ pick: ['stop'] })));
    assert.equal(again.calls.length, 0);
    assert.equal(state.status, 'cancelled');
    assert.equal(state.units.get('a/lab-1')?.state, 'cancelled');
  });

  it('asks for confirmation again before re-running a destructive step', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const runId = await crashedRun(plan([step('wipe', { destructive: true, idempotent: true }, [{ instance: 'lab-1', action: local('hang') }])]), ex, 'wipe');
    const prompter = new ScriptedPrompter({ confirm: [true] });
    const again = new RecordingExecutor({ hang: async () => ({ exitCode: 0 }) });
    const state = await resume(runId, host(again, prompter));
    assert.equal(prompter.asked.length, 1);
    assert.equal(state.units.get('wipe/lab-1')?.confirmations.length, 2);
    assert.deepEqual(stepEvents(runId).slice(-4), ['wipe/lab-1:cancelled', 'wipe/lab-1:awaiting-confirmation', 'wipe/lab-1:running', 'wipe/lab-1:succeeded']);
  });

  it('asks again at the gate when the process died while waiting for confirmation', async () => {
    const prompter = new ScriptedPrompter();
    prompter.confirm = () => new Promise<boolean>(() => undefined);
    const storage = await newStorage();
    void (await Runner.start(storage, plan([step('wipe', { destructive: true })]), host(new RecordingExecutor(), prompter))).execute();
    await until(() => stepEvents(storage.runId).length === 1, 'the gate');
    const again = new RecordingExecutor();
    const state = await resume(storage.runId, host(again, new ScriptedPrompter({ confirm: [true] })));
    assert.equal(again.count('wipe'), 1);
    assert.equal(state.status, 'succeeded');
  });

  it('ignores a torn last journal line, removes it, and says so in the journal', async () => {
    const ex = new RecordingExecutor({ hang: never });
    const runId = await crashedRun(plan([step('a', { idempotent: true }, [{ instance: 'lab-1', action: local('hang') }]), step('b')]), ex, 'a');
    const file = path.join(root, runId, 'journal.jsonl');
    fs.appendFileSync(file, '{"type":"step","at":"2026-11-22T10:00:0');
    const again = new RecordingExecutor({ hang: async () => ({ exitCode: 0 }) });
    const state = await resume(runId, host(again));
    assert.equal(state.status, 'succeeded');
    const events = journalLines(root, runId);
    assert.ok(events.some((e) => e.type === 'warning' && /Ignored a torn last line \(line \d+\)/.test(String(e.message))));
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /10:00:0\{/);
  });

  it('shows a torn last line when loading the run, without changing the file', async () => {
    const { runId } = await runPlan(plan([step('a')]), host(new RecordingExecutor()));
    const file = path.join(root, runId, 'journal.jsonl');
    fs.appendFileSync(file, '{"type":"warn');
    const before = fs.readFileSync(file, 'utf8');
    const loaded = await loadRun(await new RunFolderRepository(root).open(runId));
    assert.equal(loaded.tornLine?.text, '{"type":"warn');
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  it('refuses to resume from a journal damaged in the middle, naming file and line', async () => {
    const { runId } = await runPlan(plan([step('a', {}, [{ instance: 'lab-1', action: local('bad') }]), step('b')]), host(new RecordingExecutor({ bad: async () => ({ exitCode: 1 }) })));
    const file = path.join(root, runId, 'journal.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1]?.slice(0, 20) ?? '';
    fs.writeFileSync(file, lines.join('\n'));
    await assert.rejects(resume(runId, host(new RecordingExecutor())), (e: unknown) => e instanceof JournalCorruptError && e.line === 2 && e.file === file);
  });

  it('refuses to resume from a plan.json that is not a well-formed plan', async () => {
    const ex = new RecordingExecutor({ bad: async () => ({ exitCode: 1 }) });
    const { runId } = await runPlan(plan([step('a', {}, [{ instance: 'lab-1', action: local('bad') }])]), host(ex));
    const file = path.join(root, runId, 'plan.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"timeoutMs": 10000', '"timeoutMs": -1'));
    await assert.rejects(resume(runId, host(new RecordingExecutor())), /plan\.json in .*: step a needs a positive timeoutMs/);
  });

  it('refuses to resume a run that succeeded', async () => {
    const { runId } = await runPlan(plan([step('a')]), host(new RecordingExecutor()));
    await assert.rejects(resume(runId, host(new RecordingExecutor())), RunAlreadyFinishedError);
  });

  it('records each session, first the start and then each resume', async () => {
    const ex = new RecordingExecutor({ bad: async () => ({ exitCode: 1 }) });
    const { runId } = await runPlan(plan([step('a', { idempotent: true }, [{ instance: 'lab-1', action: local('bad') }])]), host(ex));
    const state = await resume(runId, host(new RecordingExecutor()));
    assert.deepEqual(state.sessions.map((s) => s.kind), ['start', 'resume']);
  });
});

describe('runner: secrets', () => {
  const canary = 'canary-7f3a9c2e-SECRET';
  const secretPlan = (): Plan => {
    const steps: Step[] = [
      step('login', { idempotent: true }, [{ instance: 'lab-1', action: { kind: 'local', argv: ['echo', 'token=${secret:token}'], env: { TOKEN: '${secret:token}' } } }]),
      step('fail', { idempotent: true }, [{ instance: 'lab-1', action: local('leak', '${secret:token}') }]),
    ];
    return plan(steps, labTarget, ['token']);
  };
  const leaky = (): RecordingExecutor =>
    new RecordingExecutor({
      echo: async (req) => {
        req.output.line('stdout', req.action.argv.slice(1).join(' '));
        req.output.line('stderr', `env TOKEN=${req.action.env?.TOKEN ?? ''}`);
        return { exitCode: 0 };
      },
      leak: async (req) => {
        throw new Error(`login refused for ${req.action.argv[1] ?? ''}`);
      },
    });

  it('hands the executor the secret value in place of its placeholder', async () => {
    const ex = leaky();
    await runPlan(secretPlan(), host(ex), { secrets: new Map([['token', canary]]) });
    assert.deepEqual(ex.calls[0]?.argv, ['echo', `token=${canary}`]);
  });

  it('keeps the secret out of the journal, the logs, plan.json and the report', async () => {
    const { runId, state } = await runPlan(secretPlan(), host(leaky()), { secrets: new Map([['token', canary]]) });
    assert.equal(state.status, 'failed');
    const storage = await new RunFolderRepository(root).open(runId);
    const report = await renderReport({ state, readLog: (s, i) => storage.readLog(s, i), redactor: new Redactor(), generatedAt: 'now' });
    await storage.writeReport(report);
    const everything = readAll(path.join(root, runId));
    assert.ok(everything.includes('***'), 'something was redacted');
    assert.equal(everything.includes(canary), false, 'the canary is nowhere in the run folder');
    assert.match(everything, /login refused for \*\*\*/);
  });

  it('keeps a secret printed in pieces over several lines, base64 or URL-encoded out of the log', async () => {
    const pieces = new RecordingExecutor({
      echo: async (req) => {
        const value = (req.action.argv[1] ?? '').replace(/^token=/, '');
        req.output.line('stdout', `first half ${value.slice(0, 9)}`);
        req.output.line('stdout', `${value.slice(9)} second half`);
        req.output.line('stdout', `b64 ${Buffer.from(value).toString('base64')}`);
        req.output.line('stdout', `ps ${Buffer.from(value, 'utf16le').toString('base64')}`);
        req.output.line('stderr', `url ${encodeURIComponent(value)}`);
        return { exitCode: 0 };
      },
      leak: async () => ({ exitCode: 0 }),
    });
    const { runId } = await runPlan(secretPlan(), host(pieces), { secrets: new Map([['token', canary]]) });
    const everything = readAll(path.join(root, runId));
    for (const form of [canary.slice(0, 9), canary.slice(9), Buffer.from(canary).toString('base64').slice(2, -2), Buffer.from(canary, 'utf16le').toString('base64').slice(2, -2)]) {
      assert.equal(everything.includes(form), false, `"${form}" is in the run folder`);
    }
    assert.match(everything, /first half \*\*\*/);
    assert.match(everything, /second half/);
  });

  it('refuses a prompted secret too short to be redacted', async () => {
    await assert.rejects(runPlan(secretPlan(), host(leaky(), new ScriptedPrompter({ secret: { token: 'pw1' } }))), UnredactableSecretError);
  });

  it('asks for a secret on resume, since its value is never stored', async () => {
    const { runId } = await runPlan(secretPlan(), host(leaky()), { secrets: new Map([['token', canary]]) });
    const prompter = new ScriptedPrompter({ secret: { token: canary } });
    await resume(runId, host(leaky(), prompter));
    assert.deepEqual(prompter.asked.map((a) => a.kind), ['askSecret']);
  });
});

describe('run report', () => {
  it('names the target, who ran it, every step with its outcome and duration, and log excerpts', async () => {
    const ex = new RecordingExecutor({ bad: async () => ({ exitCode: 4 }) });
    const p = plan([step('stop-agents', { destructive: true }, [{ instance: 'dma-01', action: local('say', 'Stopping DataMiner') }]), step('swap', {}, [{ instance: 'dma-01', action: local('bad') }]), step('start')], { kind: 'dms', name: 'prod-eu', production: true, description: 'DMS prod-eu' });
    const { runId, state } = await runPlan(p, host(ex, new ScriptedPrompter({ typeToConfirm: ['prod-eu'] })));
    const storage = await new RunFolderRepository(root).open(runId);
    const md = await renderReport({ state, readLog: (s, i) => storage.readLog(s, i), redactor: new Redactor(), generatedAt: '2026-11-22T12:00:00Z' });
    assert.match(md, /^# Backout run /);
    assert.match(md, /\| Target \| DMS prod-eu — \*\*production\*\* \|/);
    assert.match(md, /\| Outcome \| FAILED — step swap failed on dma-01: exit code 4 \|/);
    assert.match(md, /\| Started \| .* by tester on testhost \|/);
    assert.match(md, /\| 1 \| Step stop-agents ⚠ \| dma-01 \| succeeded \| 1 \| \d+ ms \| tester@testhost at .* \(typed-target-name via test script\) \|/);
    assert.match(md, /\| 2 \| Step swap \| dma-01 \| failed: exit code 4 \|/);
    assert.match(md, /\| 3 \| Step start \| lab-1 \| planned \|/);
    assert.match(md, /stdout +Stopping DataMiner/);
  });
});

describe('runs: one process resuming a run twice (issue 13, case 3)', () => {
  it('refuses the second resume as already running; every step runs once and the journal stays readable', async () => {
    const root = tempDir();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const ex = new RecordingExecutor({ hang: async () => (await gate, { exitCode: 0 }) });
    const p = plan([step('a', {}, [{ instance: 'lab-1', action: local('hang') }]), step('b')]);
    const env = environment(root, host(ex, new ScriptedPrompter({ pick: ['rerun', 'rerun'] })));
    // A run that failed first, so that there is something to resume.
    const failing = new RecordingExecutor({ hang: async () => ({ exitCode: 3 }) });
    const first = await startRun(environment(root, host(failing)), { plan: p, secrets: new Map() }, { runId: '20261122-100000-test-proc-aaaa' });
    assert.equal(first.status, 'failed');
    const one = resumeRun(env, first.runId);
    await until(() => ex.ran('hang') === 1, 'the first resume to start the step');
    await assert.rejects(resumeRun(env, first.runId), (e: unknown) => e instanceof RunAlreadyRunningError && /backout attach/.test(e.message));
    release();
    const state = await one;
    assert.equal(state.status, 'succeeded');
    assert.equal(ex.ran('hang'), 1);
    assert.equal(ex.ran('ok'), 1);
    const loaded = await loadRun(await new RunFolderRepository(root).open(first.runId));
    assert.equal(loaded.state.status, 'succeeded');
  });
});
