// Runs `local` actions as child processes: spawned from argv without a shell, output streamed line by line, stopped
// on abort (the whole process group on POSIX, the process tree on Windows) so nothing keeps running after a cancel
// or a timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from '../../core/lines';
import type { LocalAction } from '../../core/plan';
import type { ExecutionRequest, ExecutionResult, Executor } from '../../core/ports';
import { constants } from 'node:os';
import { childEnvironment } from './child-env';

export interface LocalExecutorOptions {
  /** How long a process may take to exit after SIGTERM before it is killed outright. */
  killGraceMs?: number;
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

  constructor(options: LocalExecutorOptions = {}) {
    this.killGraceMs = options.killGraceMs ?? 3000;
  }

  execute(request: ExecutionRequest<LocalAction>): Promise<ExecutionResult> {
    const { action, signal, output } = request;
    const [file, ...args] = action.argv;
    if (file === undefined) return Promise.reject(new LocalCommandError('', 'the command is empty'));
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<ExecutionResult>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(file, args, {
          cwd: action.cwd,
          env: childEnvironment(process.env, action.env),
          stdio: ['ignore', 'pipe', 'pipe'],
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

      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      let giveUpTimer: NodeJS.Timeout | undefined;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        if (giveUpTimer) clearTimeout(giveUpTimer);
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
        settle(() => {
          if (signal.aborted) reject(signal.reason);
          else if (sig) resolve({ exitCode: 128 + signalNumber(sig), detail: `killed by ${sig}` });
          else resolve({ exitCode: code ?? 1 });
        });
      });
    });
  }
}

function kill(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
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
