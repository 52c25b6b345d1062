// Runs `local` actions as child processes: spawned from argv without a shell, output streamed line by line, stopped
// on abort (the whole process group on POSIX, the process tree on Windows) so nothing keeps running after a cancel
// or a timeout. A step's action (not a check) runs as a job (see local-job.ts) that a later session can find again.
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { LineSplitter } from '../../core/lines';
import type { LocalAction } from '../../core/plan';
import type { ExecutionRequest, ExecutionResult, Executor, JobQuery, JobStatus } from '../../core/ports';
import { constants } from 'node:os';
import { childEnvironment } from './child-env';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canWrapJobs, identityFromFolder, inspectLocalJob, NOT_FOUND_FILE, OutputTail, processStartTicks, signalVerifiedJob, WRAPPER } from './local-job';

export interface LocalExecutorOptions {
  /** How long a process may take to exit after SIGTERM before it is killed outright. */
  killGraceMs?: number;
  /** How often a job's output files and status are read (default 50 ms). */
  pollMs?: number;
}

export class LocalCommandError extends Error {
  constructor(
    readonly command: string,
    readonly problem: string,
  ) {
    super(`Local command "${command}" could not be started: ${problem}. Check that it is installed and on PATH.`);
    this.name = 'LocalCommandError';
  }
}

function signalNumber(name: NodeJS.Signals): number {
  return (constants.signals as Record<string, number>)[name] ?? 0;
}

export class LocalExecutor implements Executor<LocalAction> {
  private readonly killGraceMs: number;
  private readonly pollMs: number;
  private readonly host = os.hostname();

  constructor(options: LocalExecutorOptions = {}) {
    this.killGraceMs = options.killGraceMs ?? 3000;
    this.pollMs = options.pollMs ?? 50;
  }

  async inspectJob(query: JobQuery): Promise<JobStatus> {
    if (!canWrapJobs()) return { state: 'unknown', detail: 'jobs cannot be found again on this platform' };
    return inspectLocalJob(query.slot.folder, query.identity, this.host);
  }

  /** Polls the job until it ends, following its output; on cancel, stops its process group once verified. */
  async awaitJob(query: JobQuery): Promise<JobStatus> {
    if (!canWrapJobs()) return { state: 'unknown', detail: 'jobs cannot be found again on this platform' };
    const tail = query.output ? new OutputTail(query.slot.folder, query.output) : undefined;
    const identity = query.identity ?? identityFromFolder(query.slot.folder, this.host);
    let stopping = false;
    for (;;) {
      tail?.poll();
      const status = inspectLocalJob(query.slot.folder, identity, this.host);
      if (status.state !== 'running') {
        tail?.finish();
        return status;
      }
      if (query.signal.aborted && !stopping && identity?.kind === 'local') {
        stopping = true;
        signalVerifiedJob(identity, 'SIGTERM');
        setTimeout(() => signalVerifiedJob(identity, 'SIGKILL'), this.killGraceMs).unref();
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  execute(request: ExecutionRequest<LocalAction>): Promise<ExecutionResult> {
    const { action, signal, output } = request;
    const [file, ...args] = action.argv;
    if (file === undefined) return Promise.reject(new LocalCommandError('', 'the command is empty'));
    if (signal.aborted) return Promise.reject(signal.reason);
    const job = request.job && canWrapJobs() ? request.job : undefined;
    return new Promise<ExecutionResult>((resolve, reject) => {
      let child: ChildProcess;
      try {
        const [command, argv] = job ? ['sh', ['-c', WRAPPER, 'backout-job', job.slot.folder, file, ...args]] : [file, args];
        child = spawn(command, argv, {
          cwd: action.cwd,
          env: childEnvironment(process.env, action.env),
          // A job writes its output to files (see local-job.ts), so that it does not die of a broken pipe with us.
          stdio: job ? 'ignore' : ['ignore', 'pipe', 'pipe'],
          // Its own process group, so that an abort stops whatever it started too.
          detached: process.platform !== 'win32',
          windowsHide: true,
        });
      } catch (err) {
        reject(new LocalCommandError(file, err instanceof Error ? err.message : String(err)));
        return;
      }
      const out = new LineSplitter(output, 'stdout');
      const errs = new LineSplitter(output, 'stderr');
      child.stdout?.setEncoding('utf8').on('data', (c: string) => out.push(c));
      child.stderr?.setEncoding('utf8').on('data', (c: string) => errs.push(c));
      const tail = job ? new OutputTail(job.slot.folder, output) : undefined;
      const poller = tail ? setInterval(() => tail.poll(), this.pollMs) : undefined;
      if (job && child.pid !== undefined && child.pid > 1) {
        const ticks = processStartTicks(child.pid);
        job.started({ kind: 'local', host: this.host, pid: child.pid, pgid: child.pid, ...(ticks ? { startTicks: ticks } : {}) });
      }

      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      let giveUpTimer: NodeJS.Timeout | undefined;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        if (giveUpTimer) clearTimeout(giveUpTimer);
        if (poller) clearInterval(poller);
        tail?.finish();
        out.end();
        errs.end();
        fn();
      };
      const onAbort = (): void => {
        output.line('info', `stopping ${file} (pid ${child.pid ?? '?'}): ${describeReason(signal.reason)}`);
        kill(child, 'SIGTERM');
        killTimer = setTimeout(() => {
          kill(child, 'SIGKILL');
          // A descendant outside the group may hold the pipes open; do not wait for it forever.
          giveUpTimer = setTimeout(() => settle(() => reject(signal.reason)), 1000);
        }, this.killGraceMs);
      };
      signal.addEventListener('abort', onAbort, { once: true });

      child.on('error', (err) => settle(() => reject(new LocalCommandError(file, err.message))));
      child.on('close', (code, sig) => {
        // A job's output is not on pipes, so its wrapper may exit before the rest of its group: after a cancel, wait
        // (briefly) until the whole group is gone, as pipes closing used to tell.
        if (job && signal.aborted && child.pid !== undefined && child.pid > 1) {
          const pgid = child.pid;
          const deadline = Date.now() + this.killGraceMs + 1000;
          const check = (): void => {
            if (!groupAlive(pgid) || Date.now() > deadline) settle(() => reject(signal.reason));
            else setTimeout(check, 10);
          };
          check();
          return;
        }
        settle(() => {
          if (signal.aborted) reject(signal.reason);
          else if (job && code === 127 && fs.existsSync(path.join(job.slot.folder, NOT_FOUND_FILE))) reject(new LocalCommandError(file, 'not found'));
          else if (sig) resolve({ exitCode: 128 + signalNumber(sig), detail: `killed by ${sig}` });
          else resolve({ exitCode: code ?? 1 });
        });
      });
    });
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function kill(child: ChildProcess, sig: NodeJS.Signals): void {
  // Our own child, so the pid is verified; still, a pid <= 1 is never signalled (-1 would mean every process).
  if (child.pid === undefined || child.pid <= 1) return;
  try {
    if (process.platform === 'win32') {
      spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    } else {
      process.kill(-child.pid, sig);
    }
  } catch {
    // Already gone.
  }
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : 'cancelled';
}
