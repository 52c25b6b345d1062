// A lab process: spawned with its output in a log file, stopped by its PID (TERM, then KILL after a grace period).
import { spawn, ChildProcess } from 'child_process';
import { openSync, closeSync, readFileSync } from 'fs';

export class LabProcess {
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      });
    });
  }

  static start(name: string, command: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): LabProcess {
    const fd = openSync(logFile, 'a');
    try {
      const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
      if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
      return new LabProcess(name, logFile, child);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines of the process's log, for error messages. */
  tail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    stopPid(this.pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      stopPid(this.pid, 'SIGKILL');
      await this.exited;
    }
  }
}

/** Sends a signal to one PID; a process that is already gone is not an error. */
export function stopPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
