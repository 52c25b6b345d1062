// Starts a run host: `backout run|resume … --detached --ready-fd 3` in its own session (detached), so that it
// outlives whoever started it (a VS Code window reloading or closing). It says on descriptor 3 where the run is once
// it owns it; what it prints before that (a bad parameter, a target locked) is the error given back. No secret is
// passed: not in argv, not in the environment (BACKOUT_SECRET_* are removed); the run host asks for secrets over its
// socket once attached.
import { spawn } from 'node:child_process';
import { childEnvironment } from './child-env';

export interface RunHostCommand {
  /** The program that runs the CLI (node, or VS Code's own binary as node) and the arguments before the command. */
  program: string;
  prefix: readonly string[];
  /** Added to the environment (e.g. ELECTRON_RUN_AS_NODE for VS Code's binary). */
  env?: Readonly<Record<string, string>>;
}

export interface LaunchRequest {
  command: RunHostCommand;
  /** `run <procedure> …` or `resume <run-id> …`: the CLI's own arguments (no secret among them). */
  args: readonly string[];
  /** Secret parameters, written to the run host's standard input (a pipe) and nowhere else. */
  secrets?: ReadonlyMap<string, string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How long the run host may take to own the run (facts are read first). */
  timeoutMs?: number;
}

export interface LaunchedHost {
  runId: string;
  location: string;
  pid: number;
}

/** The run host ended before owning a run: `code` is its exit code (3: target locked or run already running). */
/**
 * What the run host said when it refused (`backout: <message>`), with the lines that continue it: a refusal such as
 * "the plan changed" names each change and what to do on the lines after its first.
 */
export function hostMessage(output: string): string | undefined {
  const lines = output.trim().split('\n');
  const first = lines.findIndex((l) => l.startsWith('backout: '));
  if (first < 0) return undefined;
  return [lines[first].slice('backout: '.length), ...lines.slice(first + 1)].join('\n').trim();
}

export class RunHostExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(hostMessage(output) ?? `the run host ended (exit ${code ?? 'by signal'}) before starting the run${output.trim() ? `: ${output.trim().slice(-500)}` : ''}`);
    this.name = 'RunHostExitedError';
  }
}

function isLaunched(v: unknown): v is LaunchedHost {
  const o = v as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && typeof o.runId === 'string' && typeof o.location === 'string' && typeof o.pid === 'number';
}

export function launchRunHost(request: LaunchRequest): Promise<LaunchedHost> {
  const withSecrets = request.secrets !== undefined && request.secrets.size > 0;
  const child = spawn(request.command.program, [...request.command.prefix, ...request.args, '--detached', '--ready-fd', '3', ...(withSecrets ? ['--secrets-stdin'] : [])], {
    cwd: request.cwd,
    env: childEnvironment(request.env, { ...(request.command.env ?? {}) }),
    // Its own session: the window's end (SIGHUP to its group, its process tree killed) does not reach it.
    detached: true,
    stdio: [withSecrets ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const [stdin, stdout, stderr, ready] = child.stdio;
  if (stdin && 'end' in stdin) {
    stdin.on('error', () => undefined);
    stdin.end(JSON.stringify(Object.fromEntries(request.secrets ?? [])));
  }
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  stdout?.on('data', keep);
  stderr?.on('data', keep);
  return new Promise<LaunchedHost>((resolve, reject) => {
    let line = '';
    let settled = false;
    const timer = setTimeout(() => {
      finish(new Error(`the run host did not start the run within ${Math.round((request.timeoutMs ?? 120_000) / 1000)} s (pid ${child.pid}); it goes on, and shows in the Runs view if it starts.${output ? ` It said: ${output.trim().slice(-500)}` : ''}`));
    }, request.timeoutMs ?? 120_000);
    const finish = (result: LaunchedHost | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // From now on the run host is on its own: its output (the journal holds everything) is no longer read, and
      // nothing here keeps this process alive for it. It ignores a closed pipe (EPIPE).
      for (const s of [stdout, stderr, ready]) s?.destroy();
      child.unref();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    ready?.on('data', (chunk: Buffer) => {
      line += chunk.toString('utf8');
      const nl = line.indexOf('\n');
      if (nl < 0) return;
      try {
        const v = JSON.parse(line.slice(0, nl)) as unknown;
        finish(isLaunched(v) ? v : new Error(`the run host said something that is not a run: ${line.slice(0, 200)}`));
      } catch {
        finish(new Error(`the run host said something that is not a run: ${line.slice(0, 200)}`));
      }
    });
    child.once('error', (err) => finish(new Error(`could not start the run host ${request.command.program}: ${err.message}`)));
    child.once('exit', (code) => {
      // Output may still be on its way: give the pipes a moment to drain before naming what it said.
      setTimeout(() => finish(new RunHostExitedError(code, output)), 50);
    });
  });
}
