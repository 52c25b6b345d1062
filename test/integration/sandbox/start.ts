// Starts `npm run sandbox`'s entry point in a child process, as the README's first command does after packaging, with
// its own state folder, user prefix and port, and waits until it prints that it is ready.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../harness/code-server';
import { layout, ownership, type Layout } from '../../../lab/sandbox/layout';
import { processesOf } from '../../../lab/sandbox/procs';
import type { SandboxRecord } from '../../../lab/sandbox/main';

export const repo = path.resolve(__dirname, '..', '..', '..', '..');
const entry = path.join(repo, 'out', 'lab', 'sandbox', 'main.js');

/** The packaged extension: $BACKOUT_VSIX, else `npm run package` as `npm run sandbox` does. */
export function packagedVsix(): string {
  if (process.env.BACKOUT_VSIX) return process.env.BACKOUT_VSIX;
  const result = spawnSync('npm', ['run', 'package', '--silent'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm run package failed with ${result.status}`);
  return path.join(repo, 'backout.vsix');
}

export interface StartedSandbox {
  child: ChildProcess;
  stateDir: string;
  paths: Layout;
  port: number;
  record: SandboxRecord;
  /** Milliseconds from spawning to "ready". */
  startMs: number;
  output(): string;
  /** SIGINT as Ctrl-C does; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** After a failure: kill whatever is left and remove the state folder. */
  cleanUp(): Promise<void>;
}

export function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export async function startSandbox(userPrefix: string): Promise<StartedSandbox> {
  const vsix = packagedVsix();
  const stateDir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), `backout-sandbox-${userPrefix}-`));
  const paths = layout(stateDir);
  const port = await freePort();
  let output = '';
  const started = Date.now();
  const child = spawn(process.execPath, [entry, '--state-dir', stateDir, '--user-prefix', userPrefix, '--port', String(port), '--vsix', vsix], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const sandbox: StartedSandbox = {
    child,
    stateDir,
    paths,
    port,
    record: undefined as unknown as SandboxRecord,
    startMs: 0,
    output: () => output,
    async stop(timeoutMs = 70_000) {
      child.kill('SIGINT');
      return exited(child, timeoutMs);
    },
    async cleanUp() {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await exited(child, 70_000).catch(() => child.kill('SIGKILL'));
      }
      for (const p of processesOf(ownership(paths))) process.kill(p.pid, 'SIGKILL');
      fs.rmSync(paths.agentLab, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (output.includes('Press Ctrl-C to stop everything.')) {
          clearInterval(check);
          resolve();
        } else if (child.exitCode !== null) {
          clearInterval(check);
          reject(new Error(`the sandbox exited with ${child.exitCode} before it was ready:\n${output}`));
        }
      }, 200);
    });
  } catch (err) {
    await sandbox.cleanUp();
    throw err;
  }
  sandbox.startMs = Date.now() - started;
  sandbox.record = JSON.parse(fs.readFileSync(paths.record, 'utf8')) as SandboxRecord;
  return sandbox;
}
