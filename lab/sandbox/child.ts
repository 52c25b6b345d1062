// The sandbox runs each lab and code-server from its own child process. Those libraries install signal handlers of
// their own that end the process (the harness exits 1.5 s after a signal; the Agent lab re-raises it); in children
// they cannot cut the sandbox's orderly shutdown short, and each child is stopped by its PID.
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export type ChildMessage<T> = { type: 'log'; line: string } | { type: 'ready'; data: T } | { type: 'error'; message: string };

export interface ForkOptions {
  /** Names the child in errors. */
  what: string;
  /** The child's stdout and stderr go here. */
  logFile: string;
  timeoutMs: number;
  onLog?: (line: string) => void;
}

export interface Forked<T> {
  child: ChildProcess;
  ready: Promise<T>;
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Forks `script` with `input` as JSON in argv; `ready` settles on its first ready/error message, its exit or the timeout. */
export function forkChild<T>(script: string, input: unknown, options: ForkOptions): Forked<T> {
  const out = fs.openSync(options.logFile, 'a');
  const child = fork(script, [JSON.stringify(input)], { stdio: ['ignore', out, out, 'ipc'] });
  fs.closeSync(out);
  const ready = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${options.what} not ready after ${Math.round(options.timeoutMs / 1000)} s; log ${options.logFile}:\n${tail(options.logFile)}`));
    }, options.timeoutMs);
    timer.unref();
    const settle = (): void => clearTimeout(timer);
    child.on('message', (m: ChildMessage<T>) => {
      if (m.type === 'log') options.onLog?.(m.line);
      else if (m.type === 'ready') {
        settle();
        resolve(m.data);
      } else {
        settle();
        reject(new Error(`${options.what}: ${m.message}\n(log ${options.logFile})`));
      }
    });
    child.once('error', (err) => {
      settle();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      settle();
      // After `ready` this rejection is ignored (a promise settles once).
      reject(new Error(`${options.what} exited (${code ?? signal}) before it was ready; log ${options.logFile}:\n${tail(options.logFile)}`));
    });
  });
  // Callers that stop early may never await `ready`; its rejection must not be reported as unhandled.
  ready.catch(() => undefined);
  return { child, ready };
}

/** In a child: the JSON input the parent passed. */
export function childInput<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** In a child: sends a message to the parent (no-op when run by hand without IPC). */
export function tell<T>(message: ChildMessage<T>): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      console.log(JSON.stringify(message));
      resolve();
    } else process.send(message, () => resolve());
  });
}

/** Stops a child by its PID: SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
