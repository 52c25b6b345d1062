// Runs the real `backout` command (the compiled entry point) as a child process.
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../../..');
/** The compiled entry point, or another build of the CLI named by BACKOUT_TEST_CLI (e.g. the bundled dist/cli.js). */
export const cliEntry = process.env.BACKOUT_TEST_CLI ? path.resolve(process.env.BACKOUT_TEST_CLI) : path.join(repoRoot, 'out', 'src', 'cli', 'main.js');
export const testProcedures = path.join(repoRoot, 'out', 'test', 'integration', 'engine', 'fixtures', 'procedures.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a CLI child: none of the caller's BACKOUT_* settings, plus the given ones. Locks are per user
 * (~/.backout/locks); a test that names its own runs folder gets a lock folder beside it, so that tests running at
 * the same time on this machine do not lock each other out.
 */
export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BACKOUT_')) env[k] = v;
  const ownLocks = extra.BACKOUT_RUNS_DIR && !extra.BACKOUT_HOME && !extra.BACKOUT_LOCKS_DIR ? { BACKOUT_LOCKS_DIR: path.join(path.dirname(extra.BACKOUT_RUNS_DIR), 'locks') } : {};
  return { ...env, ...ownLocks, ...extra };
}

export function backout(args: string[], env: Record<string, string>, input = ''): CliResult {
  const r = spawnSync(process.execPath, [cliEntry, ...args], { env: cliEnv(env), input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting, for tests that signal or kill it. */
export function backoutAsync(args: string[], env: Record<string, string>): { child: ReturnType<typeof spawn>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [cliEntry, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : -1), stdout, stderr })));
  return { child, done };
}
