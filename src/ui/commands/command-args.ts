// What a command receives depends on where it is invoked: nothing from the command palette and view titles, the tree
// node from a view item (inline or context menu, plus the selection), a URI from an editor or the explorer, a plain
// id from code. These functions turn any of them into what the command needs, or undefined so the command asks.
// Pure (no vscode import): unit-tested in plain Node.
import * as path from 'path';

/** A step log of a run, as the Runs view's log items and the log documents name it. */
export interface LogAddress {
  runId: string;
  step: string;
  instance: string;
}

function record(arg: unknown): Record<string, unknown> | undefined {
  return typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A file system path from a URI-like argument (vscode.Uri of scheme file) or undefined. */
export function fsPathOf(arg: unknown): string | undefined {
  const r = record(arg);
  if (!r) return undefined;
  if (r.scheme !== undefined && r.scheme !== 'file') return undefined;
  return text(r.fsPath);
}

/**
 * The run an argument names: a run id, any node of the Runs view (run, step, log, problem), a log address, or a URI
 * of a file inside a run folder under `runsRoot`. Undefined for anything else (the command then offers a picker).
 */
export function runIdOf(arg: unknown, runsRoot: string): string | undefined {
  if (typeof arg === 'string') return text(arg);
  const r = record(arg);
  if (!r) return undefined;
  const id = text(r.runId);
  if (id) return id;
  const file = fsPathOf(arg);
  if (!file) return undefined;
  const rel = path.relative(runsRoot, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep)[0];
}

/** A step log an argument names completely (a log item of the Runs view, a log address), else undefined. */
export function logAddressOf(arg: unknown): LogAddress | undefined {
  const r = record(arg);
  if (!r) return undefined;
  const runId = text(r.runId);
  const step = text(r.step);
  const instance = text(r.instance);
  return runId && step && instance ? { runId, step, instance } : undefined;
}

/** The step an argument names without its instance (a step item of the Runs view). */
export function stepOf(arg: unknown): { runId: string; step: string } | undefined {
  const r = record(arg);
  const runId = text(r?.runId);
  const step = text(r?.step);
  return runId && step ? { runId, step } : undefined;
}
