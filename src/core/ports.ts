// Ports: the small interfaces through which the core talks to the world. Adapters (ssh, kube, local, store) and the
// UI implement them; the engine and the procedures depend only on these types.
import type { CheckAction, KubeAction, LocalAction, SshAction, TargetRef } from './plan';
import type { JobIdentity } from './journal';
import type { LockHolder } from './lock';

/** Asks the user something. The VS Code UI implements it with QuickPick/InputBox, the CLI with the terminal. */
export interface Prompter {
  /** A yes/no question; `detail` says what will happen. Resolves false when the user declines or dismisses it. */
  confirm(question: ConfirmRequest): Promise<boolean>;
  /** The user must type `expected` exactly (production targets); resolves false when they decline. */
  typeToConfirm(question: TypeToConfirmRequest): Promise<boolean>;
  /** A secret (passphrase, password). Resolves undefined when the user declines. Never logged. */
  askSecret(question: SecretRequest): Promise<string | undefined>;
  /** One choice out of several; resolves undefined when the user dismisses it. */
  pick<T extends string>(question: PickRequest<T>): Promise<T | undefined>;
  /**
   * How the last answer was given ("terminal", "--yes flag", "VS Code"); read after each confirmation and recorded
   * with it in the journal.
   */
  readonly via?: string;
  /** Who gave the last answer, when not the person running Backout here (an answer written by `backout attach`). */
  readonly answeredBy?: string;
}

export interface ConfirmRequest {
  title: string;
  /** The target the action affects, named in the question (e.g. "DMS prod-eu / Agent dma-02"). */
  target: string;
  detail?: string;
  signal?: AbortSignal;
  /** The step and instance(s) the question is about; an answer given through the run folder must name the same. */
  step?: string;
  instance?: string;
}

export interface TypeToConfirmRequest extends ConfirmRequest {
  expected: string;
}

export interface SecretRequest {
  title: string;
  /** A stable name of the secret (e.g. a parameter name), for hosts that can supply it without asking. */
  name?: string;
  prompt: string;
  signal?: AbortSignal;
}

export interface PickRequest<T extends string> {
  title: string;
  detail?: string;
  options: ReadonlyArray<{ value: T; label: string; description?: string }>;
  signal?: AbortSignal;
  step?: string;
  instance?: string;
}

/** Where a remote command's output goes, line by line, as it arrives. */
export interface LineSink {
  line(stream: 'stdout' | 'stderr' | 'info', text: string): void;
}

/** Time, injectable so that timeouts and journals are testable. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Step executors. The host (CLI, extension) gives the runner one executor per action kind it supports; `wait` and
// `manual` steps are carried out by the runner itself on top of these and the Prompter.

export interface ExecutionRequest<A extends CheckAction = CheckAction> {
  /** The action with ${secret:NAME} placeholders already replaced by their values: never log it raw. */
  action: A;
  target: TargetRef;
  step: string;
  instance: string;
  /**
   * Aborted when the run is cancelled or the step's timeout elapses (reason: TimeoutError). The executor must then
   * stop the action (kill the process, close the PTY channel, stop watching) and settle promptly.
   */
  signal: AbortSignal;
  /** Output lines as they arrive; the runner redacts them and writes the step instance's log. */
  output: LineSink;
  /**
   * Present for a step's action (not for checks and verifications): where the executor keeps the job's status (its
   * start and exit code, written by a wrapper that outlives this process), and whom to tell what it started.
   */
  job?: JobRequest;
}

/** A folder on this machine, one per step instance and attempt, that only that attempt's job writes to. */
export interface JobSlot {
  /** "<run id>/<step>/<instance>/<attempt>": names the job on a remote endpoint too. */
  key: string;
  folder: string;
}

export interface JobRequest {
  slot: JobSlot;
  /** Called once the job is started, with what identifies it; the runner journals it. */
  started(identity: JobIdentity): void;
}

/** What became of a job started by an earlier session. */
export type JobStatus =
  | { state: 'running'; detail: string }
  | { state: 'exited'; exitCode: number; detail: string }
  /** It is not running and left no exit code (killed with the host, or never started). */
  | { state: 'gone'; detail: string }
  /** It is known never to have started (its endpoint has no trace of it and will never start it): run it. */
  | { state: 'not-started'; detail: string }
  /** This executor cannot tell (no record, endpoint unreachable). */
  | { state: 'unknown'; detail: string };

export interface JobQuery {
  slot: JobSlot;
  /** What the journal says the attempt started, if it got that far. */
  identity?: JobIdentity;
  action: CheckAction;
  target: TargetRef;
  signal: AbortSignal;
  /** Where the job's output goes while it is followed (awaitJob). */
  output?: LineSink;
}

export interface ExecutionResult {
  /** 0 means the action succeeded. Windows exit codes are reported in full (e.g. 3221225477). */
  exitCode: number;
  /** A short explanation for a failure, e.g. "killed by SIGTERM" or "HTTP 409 Conflict". */
  detail?: string;
}

/**
 * Performs one kind of action. Resolve with the exit status for anything the action itself decided (a non-zero
 * exit is a failed step, not an error); reject for failures of the means (connection lost, permission denied to
 * the API), with a message naming the endpoint. The runner turns both into a failed step.
 */
export interface Executor<A extends CheckAction = CheckAction> {
  execute(request: ExecutionRequest<A>): Promise<ExecutionResult>;
  /** Where a job started by an earlier session stands, without waiting. */
  inspectJob?(query: JobQuery): Promise<JobStatus>;
  /**
   * Waits for a job found running to end; resolves with its final status. When `signal` aborts (the run is
   * cancelled) it stops the job, if it can verify the job is the one the journal names, and resolves.
   */
  awaitJob?(query: JobQuery): Promise<JobStatus>;
  /**
   * What the action reaches, resolved as this host resolves it (e.g. "ssh 10.0.0.12:22"), for the target lock; no
   * connection is made. Undefined when the action reaches nothing outside this machine.
   */
  identify?(action: A): Promise<string | undefined>;
}

export interface Executors {
  local?: Executor<LocalAction>;
  ssh?: Executor<SshAction>;
  kube?: Executor<KubeAction>;
}

// ---------------------------------------------------------------------------------------------------------------
// Storage of runs. A run is a folder: plan.json, journal.jsonl, logs/<step>/<instance>.log, report.md.

export interface LogFile {
  /** Appends text; written before returning so that it survives a crash of this process. */
  append(text: string): void;
  close(): Promise<void>;
}

export interface RunStorage {
  readonly runId: string;
  /** Where the run lives, for messages (a folder path). */
  readonly location: string;
  /** The journal's name for error messages (a file path). */
  readonly journalName: string;
  writePlan(json: string): Promise<void>;
  readPlan(): Promise<string>;
  readJournal(): Promise<string>;
  /** Appends to the journal before returning (survives a crash of this process, not yet of the machine). */
  appendJournal(text: string): void;
  /** Makes everything appended so far durable on disk (fsync). */
  syncJournal(): Promise<void>;
  /** Cuts the journal to its first `bytes` bytes: removes a torn last line before appending after it. */
  truncateJournal(bytes: number): Promise<void>;
  openLog(step: string, instance: string): LogFile;
  /** The job folder of one attempt of a step instance (created on demand). */
  jobSlot(step: string, instance: string, attempt: number): JobSlot;
  readLog(step: string, instance: string): Promise<string | undefined>;
  /** Writes report.md and returns its path. */
  writeReport(markdown: string): Promise<string>;
  close(): Promise<void>;
}

export interface RunRepository {
  readonly root: string;
  create(runId: string): Promise<RunStorage>;
  /** Throws RunNotFoundError when there is no such run. */
  open(runId: string): Promise<RunStorage>;
  /** Run ids, oldest first. */
  list(): Promise<string[]>;
}

export interface LockHandle {
  /** The stale holder this lock was taken over from, if any (reported to the user). */
  readonly tookOverFrom?: LockHolder;
  release(): Promise<void>;
}

/** One run per target, across processes and hosts sharing the runs folder. */
export interface TargetLocks {
  /** Throws TargetLockedError naming the holder when another live run holds the target. */
  acquire(target: TargetRef, holder: LockHolder): Promise<LockHandle>;
  holder(target: TargetRef): Promise<LockHolder | undefined>;
}
