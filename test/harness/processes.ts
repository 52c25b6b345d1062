// Every long-lived process the harness starts (code-server and its helpers, labs) runs in its own process group and
// is stopped by group, on success, on failure and on Ctrl-C: killing only the leader leaves file watchers behind.
import { spawn, type ChildProcess, type SpawnOptions } from 'child_process';

const groups = new Set<ChildProcess>();
let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow('SIGTERM');
      setTimeout(() => {
        killAllNow('SIGKILL');
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }, 1500).unref();
    });
  }
  process.once('exit', () => killAllNow('SIGKILL'));
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function killAllNow(signal: NodeJS.Signals): void {
  for (const child of groups) signalGroup(child, signal);
}

/** Starts a command as the leader of a new process group that the harness owns. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  installHandlers();
  const child = spawn(command, args, { ...options, detached: true });
  groups.add(child);
  child.once('exit', () => {
    // The leader is gone, but helpers it started may remain in its group: stop them too.
    signalGroup(child, 'SIGKILL');
    groups.delete(child);
  });
  return child;
}

/** Stops a group: SIGTERM, then SIGKILL after `graceMs`. Resolves once the leader has exited. */
export async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, 'SIGKILL');
    groups.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  signalGroup(child, 'SIGKILL');
  groups.delete(child);
}

/** Runs a command to completion with inherited output; rejects with its exit code. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(command, args, { stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`));
    });
  });
}
