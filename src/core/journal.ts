// The run journal: one JSON event per line, append-only. This file defines the events and how a journal's text is
// parsed. A torn last line (the process or machine died while writing it) is ignored and reported; a damaged line
// before the last one means the file was altered, and is an error naming the file and line.
import { JournalCorruptError } from './errors';
import { isStepState, type StepState } from './step-state';

/** Who did something: the OS user, the machine, the process. */
export interface Actor {
  user: string;
  host: string;
  pid: number;
}

export interface Confirmation {
  /** "user@host" of whoever confirmed. */
  by: string;
  at: string;
  /** How: "confirm" (yes/no), "typed-target-name" (production), plus the prompter's channel, e.g. "terminal". */
  method: string;
}

export type RunOutcome = 'succeeded' | 'failed' | 'cancelled';

/**
 * What a step instance started, so that a later session can find it again: a local process (pid, process group and
 * its kernel start time, so a reused pid is not mistaken for it) or a job on a remote endpoint (its id there).
 */
export type JobIdentity =
  | { kind: 'local'; host: string; pid: number; pgid: number; /** /proc/<pid>/stat field 22; absent where there is no /proc. */ startTicks?: string }
  | { kind: 'remote'; endpoint: string; jobId: string };

/** Who answered a question asked through the run folder (attach, VS Code), as the run host validated it. */
export interface Answerer {
  by: string;
  via: string;
}

export type JournalEvent =
  | { type: 'run-started'; at: string; runId: string; by: Actor; host: string }
  | { type: 'run-resumed'; at: string; by: Actor }
  | {
      type: 'step';
      at: string;
      step: string;
      instance: string;
      state: StepState;
      /** Counts entries into `running`; 0 until the action first starts. */
      attempt: number;
      reason?: string;
      exitCode?: number;
      error?: string;
      durationMs?: number;
      confirmation?: Confirmation;
    }
  | { type: 'run-finished'; at: string; outcome: RunOutcome; reason?: string }
  | { type: 'warning'; at: string; message: string }
  /** The action of a unit's current attempt started this job (recorded as soon as it is known). */
  | { type: 'job'; at: string; step: string; instance: string; attempt: number; job: JobIdentity }
  /** The run host received a signal or lost its terminal; what it does next is in `message`. */
  | { type: 'host'; at: string; signal: string; message: string };

export type StepEvent = Extract<JournalEvent, { type: 'step' }>;

export function encodeEvent(event: JournalEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export interface ParsedJournal {
  events: JournalEvent[];
  /** A last line that was cut short, if any: ignored, to be reported and removed before appending. */
  torn?: { line: number; text: string; validLength: number };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkEvent(v: unknown): string | undefined {
  if (!isObject(v)) return 'not a JSON object';
  if (typeof v.at !== 'string') return 'no "at" timestamp';
  switch (v.type) {
    case 'run-started':
      return typeof v.runId === 'string' && isObject(v.by) ? undefined : 'run-started without runId or by';
    case 'run-resumed':
      return isObject(v.by) ? undefined : 'run-resumed without by';
    case 'step':
      if (typeof v.step !== 'string' || typeof v.instance !== 'string') return 'step event without step or instance';
      if (!isStepState(v.state)) return `unknown step state ${JSON.stringify(v.state)}`;
      return typeof v.attempt === 'number' ? undefined : 'step event without attempt';
    case 'run-finished':
      return v.outcome === 'succeeded' || v.outcome === 'failed' || v.outcome === 'cancelled' ? undefined : 'run-finished with unknown outcome';
    case 'warning':
      return typeof v.message === 'string' ? undefined : 'warning without message';
    case 'job':
      if (typeof v.step !== 'string' || typeof v.instance !== 'string' || typeof v.attempt !== 'number') return 'job event without step, instance or attempt';
      return isObject(v.job) && (v.job.kind === 'local' || v.job.kind === 'remote') ? undefined : 'job event without a job identity';
    case 'host':
      return typeof v.signal === 'string' && typeof v.message === 'string' ? undefined : 'host event without signal or message';
    default:
      return `unknown event type ${JSON.stringify(v.type)}`;
  }
}

/** Parses a journal's text. `file` only names the journal in errors. */
export function parseJournal(text: string, file: string): ParsedJournal {
  const events: JournalEvent[] = [];
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    lineNo++;
    const nl = text.indexOf('\n', pos);
    const complete = nl !== -1;
    const line = text.slice(pos, complete ? nl : text.length);
    const isLast = !complete || nl === text.length - 1;
    let problem: string | undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
      problem = checkEvent(value);
    } catch {
      problem = 'not valid JSON';
    }
    if (problem !== undefined || !complete) {
      // Only the final line can be torn: events are written whole, newline included, and the next action waits for
      // that write. So a last line that is unterminated or unreadable is a write that never finished (after a power
      // loss it may even hold zeros), and whatever it announced never started. Anywhere else it is damage.
      if (isLast) return { events, torn: { line: lineNo, text: line, validLength: pos } };
      throw new JournalCorruptError(file, lineNo, problem ?? 'line is not terminated');
    }
    events.push(value as JournalEvent);
    pos = nl + 1;
  }
  return { events };
}
