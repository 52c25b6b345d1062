// Shared fixtures of the engine tests: a run folder in a temporary directory, a prompter that answers from a script
// and records every question, and executors that record what they were asked to do.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunFolderRepository } from '../../../src/adapters/local/run-folder';
import { FileTargetLocks } from '../../../src/adapters/local/file-lock';
import { systemClock } from '../../../src/adapters/local/system';
import type { Actor } from '../../../src/core/journal';
import type { CheckAction, LocalAction, Plan, Step, TargetRef } from '../../../src/core/plan';
import type {
  ConfirmRequest,
  ExecutionRequest,
  ExecutionResult,
  Executor,
  PickRequest,
  Prompter,
  SecretRequest,
  TypeToConfirmRequest,
} from '../../../src/core/ports';
import type { RunHost } from '../../../src/core/runner';
import type { RunEnvironment } from '../../../src/core/runs';

export function tempDir(prefix = 'backout-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const actor: Actor = { user: 'tester', host: 'testhost', pid: process.pid };

export const labTarget: TargetRef = { kind: 'lab', name: 'lab-1', production: false };

export interface Asked {
  kind: 'confirm' | 'typeToConfirm' | 'askSecret' | 'pick';
  title: string;
  target?: string;
  expected?: string;
  options?: string[];
}

/** Answers from a script and records each question. Unscripted questions fail the test loudly. */
export class ScriptedPrompter implements Prompter {
  readonly asked: Asked[] = [];
  readonly via = 'test script';
  constructor(
    private readonly answers: {
      confirm?: boolean[];
      typeToConfirm?: string[];
      secret?: Record<string, string>;
      pick?: string[];
    } = {},
  ) {}

  async confirm(q: ConfirmRequest): Promise<boolean> {
    this.asked.push({ kind: 'confirm', title: q.title, target: q.target });
    const a = this.answers.confirm?.shift();
    if (a === undefined) throw new Error(`unexpected confirm: ${q.title}`);
    return a;
  }

  async typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    this.asked.push({ kind: 'typeToConfirm', title: q.title, target: q.target, expected: q.expected });
    const typed = this.answers.typeToConfirm?.shift();
    if (typed === undefined) throw new Error(`unexpected typeToConfirm: ${q.title}`);
    return typed === q.expected;
  }

  async askSecret(q: SecretRequest): Promise<string | undefined> {
    this.asked.push({ kind: 'askSecret', title: q.title });
    return q.name ? this.answers.secret?.[q.name] : undefined;
  }

  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    this.asked.push({ kind: 'pick', title: q.title, options: q.options.map((o) => o.value) });
    const a = this.answers.pick?.shift();
    if (a === undefined) throw new Error(`unexpected pick: ${q.title}`);
    return q.options.find((o) => o.value === a)?.value;
  }
}

export type Behaviour = (req: ExecutionRequest<LocalAction>) => Promise<ExecutionResult>;

/**
 * A `local` executor that runs the behaviour registered for the action's first argv word, recording each call.
 * For engine tests that need to observe concurrency or aborts exactly; real processes are tested elsewhere.
 */
export class RecordingExecutor implements Executor<LocalAction> {
  readonly calls: Array<{ step: string; instance: string; argv: string[] }> = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly behaviours: Record<string, Behaviour> = {}) {}

  async execute(req: ExecutionRequest<LocalAction>): Promise<ExecutionResult> {
    this.calls.push({ step: req.step, instance: req.instance, argv: req.action.argv });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const b = this.behaviours[req.action.argv[0] ?? ''];
      if (b) return await b(req);
      for (const word of req.action.argv.slice(1)) req.output.line('stdout', word);
      return { exitCode: 0 };
    } finally {
      this.inFlight--;
    }
  }

  /** How many times a command (by its first word) was executed, verifications included. */
  ran(command: string): number {
    return this.calls.filter((c) => c.argv[0] === command).length;
  }

  count(step: string, instance?: string): number {
    return this.calls.filter((c) => c.step === step && (instance === undefined || c.instance === instance)).length;
  }
}

export function local(...argv: string[]): LocalAction {
  return { kind: 'local', argv };
}

export function step(id: string, overrides: Partial<Step> = {}, instances: Array<{ instance: string; action?: CheckAction; verify?: { description: string; action: CheckAction } }> = [{ instance: 'lab-1' }]): Step {
  return {
    id,
    title: `Step ${id}`,
    source: `MOP: ${id}`,
    kind: 'local',
    destructive: false,
    idempotent: false,
    timeoutMs: 10_000,
    instances: instances.map((i) => ({ instance: i.instance, action: i.action ?? local('ok', id, i.instance), ...(i.verify ? { verify: i.verify } : {}) })),
    ...overrides,
  };
}

export function plan(steps: Step[], target: TargetRef = labTarget, secrets: string[] = []): Plan {
  return {
    formatVersion: 1,
    procedure: { id: 'test-proc', title: 'Test procedure', version: '1.0.0' },
    target,
    params: {},
    steps,
    warnings: [],
    extra: {},
    secrets,
  };
}

export function host(executor: Executor<LocalAction>, prompter: Prompter = new ScriptedPrompter()): RunHost {
  return { executors: { local: executor }, prompter, clock: systemClock, actor };
}

export function environment(root: string, h: RunHost): RunEnvironment {
  return {
    repository: new RunFolderRepository(root),
    locks: new FileTargetLocks(path.join(root, 'locks'), { hostname: actor.host, pidAlive: () => true }),
    host: h,
  };
}

export function journalLines(root: string, runId: string): Array<Record<string, unknown>> {
  return fs
    .readFileSync(path.join(root, runId, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function readAll(dir: string): string {
  let text = '';
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    text += entry.isDirectory() ? readAll(p) : fs.readFileSync(p, 'utf8');
  }
  return text;
}
