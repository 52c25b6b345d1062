// Engine benchmark: what the runner and its durable journal cost per step, measured against the same actions in a
// bare loop in the same process and run; and how long loading and resuming a 10,000-event journal takes.
// Run: node out/bench/engine/index.js   (runEngineBench() returns the figures for docs/benchmarks.md)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalExecutor } from '../../src/adapters/local/local-executor';
import { RunFolderRepository } from '../../src/adapters/local/run-folder';
import { systemClock } from '../../src/adapters/local/system';
import { encodeEvent, type JournalEvent } from '../../src/core/journal';
import type { LocalAction, Plan, Step } from '../../src/core/plan';
import type { ExecutionRequest, ExecutionResult, Executor, LineSink, Prompter } from '../../src/core/ports';
import { loadRun, Runner, type RunHost } from '../../src/core/runner';

export interface EngineBenchFigures {
  steps: number;
  /** Median wall time of the whole run through the runner, durable journal (fdatasync before each action). */
  runnerMs: number;
  /** The same with fdatasync disabled: what the rest of the engine costs. */
  runnerNoSyncMs: number;
  /** Median wall time of the same actions in a bare loop. */
  bareMs: number;
  ratio: number;
  overheadMsPerStep: number;
  overheadNoSyncMsPerStep: number;
  /** fdatasync calls per step in the durable run. */
  syncsPerStep: number;
  /** Median time of the journal's disk work alone in a bare loop (2 appends + 1 fdatasync per step): the floor. */
  syncFloorMs: number;
  /** Overhead per step beyond that floor: what the engine itself adds. */
  overheadBeyondFloorMsPerStep: number;
  /** The same actions as 50 steps × 10 instances, all 10 at once (run bound 10): fdatasync calls per step instance. */
  fanOutSyncsPerUnit: number;
  journalEvents: number;
  /** Reading plan.json and journal.jsonl and replaying the events. */
  loadMs: number;
  /** Reopening the run for resume (replay, lock-free), re-running the one interrupted unit and finishing. */
  resumeMs: number;
  repeats: number;
  /** Median time from aborting a running local process (sleep) to its action settling, over 10 tries. */
  cancelLatencyMs: number;
}

/** A trivial action: one line of output and success, as cheap as an action can be. */
class TrivialExecutor implements Executor<LocalAction> {
  count = 0;
  async execute(req: ExecutionRequest<LocalAction>): Promise<ExecutionResult> {
    this.count++;
    req.output.line('stdout', req.action.argv[1] ?? '');
    return { exitCode: 0 };
  }
}

const refuse = (): Promise<never> => Promise.reject(new Error('the benchmark asks nothing'));
const prompter: Prompter = { confirm: refuse, typeToConfirm: refuse, askSecret: refuse, pick: refuse };

function host(executor: Executor<LocalAction>): RunHost {
  return { executors: { local: executor }, prompter, clock: systemClock, actor: { user: 'bench', host: os.hostname(), pid: process.pid } };
}

function stepsPlan(steps: number, instancesPerStep = 1, concurrency?: number): Plan {
  const list: Step[] = Array.from({ length: steps }, (_, i) => ({
    id: `step-${i}`,
    title: `Step ${i}`,
    source: 'benchmark',
    kind: 'local',
    destructive: false,
    idempotent: true,
    timeoutMs: 60_000,
    ...(concurrency !== undefined ? { concurrency } : {}),
    instances: Array.from({ length: instancesPerStep }, (_, k) => ({ instance: `i${k}`, action: { kind: 'local', argv: ['noop', `step ${i}.${k}`] } })),
  }));
  return { formatVersion: 1, procedure: { id: 'bench', title: 'Benchmark', version: '1' }, target: { kind: 'bench', name: 'bench', production: false }, params: {}, steps: list, warnings: [], extra: {}, secrets: [] };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

let seq = 0;
async function timedRun(root: string, plan: Plan, durable: boolean, concurrency?: number): Promise<{ ms: number; syncs: number }> {
  const repo = new RunFolderRepository(root, { durable });
  const storage = await repo.create(`20261122-000000-bench-${String(++seq).padStart(4, '0')}`);
  let syncs = 0;
  const sync = storage.syncJournal.bind(storage);
  storage.syncJournal = async () => {
    syncs++;
    await sync();
  };
  const t0 = process.hrtime.bigint();
  const runner = await Runner.start(storage, plan, host(new TrivialExecutor()), concurrency !== undefined ? { concurrency } : {});
  const state = await runner.execute();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await storage.close();
  if (state.status !== 'succeeded') throw new Error(`benchmark run ended ${state.status}`);
  return { ms, syncs };
}

/** The disk work of a durable journal and nothing else: two appended lines and one fdatasync per step. */
function timedSyncFloor(root: string, steps: number): number {
  const file = path.join(root, `floor-${++seq}.jsonl`);
  const fd = fs.openSync(file, 'a');
  const line = Buffer.from(encodeEvent({ type: 'step', at: new Date().toISOString(), step: 'step-1', instance: 'i0', state: 'running', attempt: 1 }));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) {
    fs.writeSync(fd, line);
    fs.writeSync(fd, line);
    fs.fdatasyncSync(fd);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.closeSync(fd);
  return ms;
}

async function timedBare(plan: Plan): Promise<number> {
  const ex = new TrivialExecutor();
  const sink: LineSink = { line: () => undefined };
  const target = plan.target;
  const t0 = process.hrtime.bigint();
  for (const step of plan.steps) {
    for (const inst of step.instances) {
      const r = await ex.execute({ action: inst.action as LocalAction, target, step: step.id, instance: inst.instance, signal: new AbortController().signal, output: sink });
      if (r.exitCode !== 0) throw new Error('bare action failed');
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Writes a run folder whose journal holds `events` step events, the last unit caught running. */
function writeBigJournal(root: string, events: number): string {
  const units = events / 2;
  const perStep = 100;
  const plan = stepsPlan(units / perStep, perStep);
  const runId = '20261122-000000-bench-journal-0000';
  const dir = path.join(root, runId);
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan, null, 2));
  const at = new Date().toISOString();
  const lines: string[] = [encodeEvent({ type: 'run-started', at, runId, by: { user: 'bench', host: 'h', pid: 1 }, host: 'h' })];
  let n = 0;
  for (const step of plan.steps) {
    for (const inst of step.instances) {
      const last = ++n === units;
      const base = { type: 'step', at, step: step.id, instance: inst.instance, attempt: 1 } as const;
      lines.push(encodeEvent({ ...base, state: 'running' } as JournalEvent));
      if (!last) lines.push(encodeEvent({ ...base, state: 'succeeded', exitCode: 0, durationMs: 1 } as JournalEvent));
    }
  }
  fs.writeFileSync(path.join(dir, 'journal.jsonl'), lines.join(''));
  return runId;
}

/** Aborts a running `sleep` ten times and measures how long the local executor takes to settle. */
async function cancelLatency(): Promise<number> {
  const ex = new LocalExecutor();
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const c = new AbortController();
    let started: () => void = () => undefined;
    const ready = new Promise<void>((r) => (started = r));
    const done = ex
      .execute({
        action: { kind: 'local', argv: ['sh', '-c', 'echo ready; exec sleep 30'] },
        target: { kind: 'bench', name: 'bench', production: false },
        step: 'cancel',
        instance: 'i',
        signal: c.signal,
        output: { line: (_s, text) => (text === 'ready' ? started() : undefined) },
      })
      .catch(() => undefined);
    await ready;
    const t0 = process.hrtime.bigint();
    c.abort(new Error('benchmark cancel'));
    await done;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

export async function runEngineBench(options: { steps?: number; repeats?: number; journalEvents?: number } = {}): Promise<EngineBenchFigures> {
  const steps = options.steps ?? 500;
  const repeats = options.repeats ?? 5;
  const journalEvents = options.journalEvents ?? 10_000;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-bench-'));
  try {
    const plan = stepsPlan(steps);
    // Warm up the JIT and the file system on a short run of each kind.
    await timedRun(root, stepsPlan(50), true);
    await timedBare(stepsPlan(50));
    const runner: number[] = [];
    const noSync: number[] = [];
    const bare: number[] = [];
    const floor: number[] = [];
    let syncs = 0;
    for (let i = 0; i < repeats; i++) {
      // Interleaved, so that drift of the machine affects all three alike.
      const r = await timedRun(root, plan, true);
      runner.push(r.ms);
      syncs = r.syncs;
      noSync.push((await timedRun(root, plan, false)).ms);
      bare.push(await timedBare(plan));
      floor.push(timedSyncFloor(root, steps));
    }
    const runnerMs = median(runner);
    const runnerNoSyncMs = median(noSync);
    const bareMs = median(bare);
    const syncFloorMs = median(floor);
    const fanOut = await timedRun(root, stepsPlan(steps / 10, 10, 10), true, 10);

    const runId = writeBigJournal(root, journalEvents);
    const repo = new RunFolderRepository(root);
    const loads: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = process.hrtime.bigint();
      const { state } = await loadRun(await repo.open(runId));
      loads.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (state.events !== journalEvents) throw new Error(`replayed ${state.events} events, expected ${journalEvents}`);
    }
    const t0 = process.hrtime.bigint();
    const storage = await repo.open(runId);
    const resumed = await (await Runner.resume(storage, host(new TrivialExecutor()))).execute();
    const resumeMs = Number(process.hrtime.bigint() - t0) / 1e6;
    await storage.close();
    if (resumed.status !== 'succeeded') throw new Error(`resumed benchmark run ended ${resumed.status}`);

    return {
      steps,
      runnerMs,
      runnerNoSyncMs,
      bareMs,
      ratio: runnerMs / bareMs,
      overheadMsPerStep: (runnerMs - bareMs) / steps,
      overheadNoSyncMsPerStep: (runnerNoSyncMs - bareMs) / steps,
      syncsPerStep: syncs / steps,
      syncFloorMs,
      overheadBeyondFloorMsPerStep: (runnerMs - bareMs - syncFloorMs) / steps,
      fanOutSyncsPerUnit: fanOut.syncs / steps,
      journalEvents,
      loadMs: median(loads),
      resumeMs,
      repeats,
      cancelLatencyMs: await cancelLatency(),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export function formatEngineBench(f: EngineBenchFigures): string[] {
  const ms = (x: number): string => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
  return [
    `engine: ${f.steps} steps  runner ${ms(f.runnerMs)}  bare ${ms(f.bareMs)}  ratio ${f.ratio.toFixed(1)}x  overhead ${f.overheadMsPerStep.toFixed(3)} ms/step  (${f.syncsPerStep.toFixed(2)} fdatasync/step)`,
    `engine: ${f.steps} steps without fdatasync  runner ${ms(f.runnerNoSyncMs)}  overhead ${f.overheadNoSyncMsPerStep.toFixed(3)} ms/step  (the rest of the per-step cost is the fdatasync)`,
    `engine: journal disk floor (2 appends + fdatasync per step, bare loop) ${ms(f.syncFloorMs)} = ${(f.syncFloorMs / f.steps).toFixed(3)} ms/step; engine beyond it ${f.overheadBeyondFloorMsPerStep.toFixed(3)} ms/step`,
    `engine: fan-out ${f.steps / 10} steps x 10 instances at once  ${f.fanOutSyncsPerUnit.toFixed(2)} fdatasync per step instance (group commit)`,
    `engine: journal of ${f.journalEvents} events  load ${ms(f.loadMs)}  resume ${ms(f.resumeMs)}`,
    `engine: cancel a running local process  ${f.cancelLatencyMs.toFixed(1)} ms from abort to settled (median of 10)`,
  ];
}

if (require.main === module) {
  runEngineBench().then(
    (f) => {
      for (const line of formatEngineBench(f)) console.log(line);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
