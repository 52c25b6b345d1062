// The kube lab as the sandbox runs it: the lab's own CLI in the foreground (`run`) as a child process, which writes
// <dir>/state.json when the control plane, the fake nodes and Ondat 2.7.0 with its sample workloads are ready, and
// stops everything it started on SIGTERM. The sandbox stops it by PID and then makes sure its control plane is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alive } from './procs';
import { pathWithPlugin } from '../kube/plugin/bin-dir';

export interface KubeLabReady {
  kubeconfig: string;
  server: string;
  contexts: Record<string, string>;
  pids: Record<string, number>;
}

interface LabState extends Partial<KubeLabReady> {
  status: 'starting' | 'ready' | 'failed';
  supervisor: number;
  error?: string;
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // It exited between the check and the signal.
  }
}

export class SandboxKubeLab {
  private ready: KubeLabReady | undefined;

  private constructor(
    readonly child: ChildProcess,
    private readonly dir: string,
    private readonly logFile: string,
  ) {}

  static spawn(cli: string, dir: string, nodes: number, logFile: string): SandboxKubeLab {
    const out = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, [cli, 'run', '--dir', dir, '--nodes', String(nodes), '--ondat', 'current'], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    return new SandboxKubeLab(child, dir, logFile);
  }

  private state(): LabState | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, 'state.json'), 'utf8')) as LabState;
    } catch {
      return undefined; // Not written yet, or being written.
    }
  }

  /** Waits for the lab's ready state; fails early when the lab reports a failure or exits. */
  async waitReady(timeoutMs: number): Promise<KubeLabReady> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = this.state();
      // A state.json of an earlier lab in the folder has another supervisor PID.
      const mine = s !== undefined && s.supervisor === this.child.pid ? s : undefined;
      if (mine?.status === 'ready' && mine.kubeconfig && mine.server && mine.contexts && mine.pids) {
        this.ready = { kubeconfig: mine.kubeconfig, server: mine.server, contexts: mine.contexts, pids: mine.pids };
        return this.ready;
      }
      if (mine?.status === 'failed') throw new Error(`kube lab failed: ${mine.error ?? 'no reason given'} (log ${this.logFile})`);
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`kube lab exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready; log ${this.logFile}:\n${tail(this.logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`kube lab not ready after ${Math.round(timeoutMs / 1000)} s; log ${this.logFile}:\n${tail(this.logFile)}`);
  }

  /** SIGTERM to the lab (it stops its controllers, apiserver, then etcd); SIGKILL whatever of it remains after `graceMs`. */
  async stop(graceMs = 30_000): Promise<string> {
    const pids = { ...(this.ready?.pids ?? this.state()?.pids ?? {}) };
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    // The lab's CLI can exit before its control plane is down (its signal handlers race); finish the job in its
    // order, controllers and apiserver before etcd, politely first.
    const finished: string[] = [];
    for (const name of ['kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd']) {
      const pid = pids[name];
      if (pid === undefined || !alive(pid)) continue;
      finished.push(`${name} ${pid}`);
      signal(pid, 'SIGTERM');
      const deadline = Date.now() + 5000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) signal(pid, 'SIGKILL');
    }
    const names = Object.entries(pids).map(([name, pid]) => `${name} ${pid}`).join(', ');
    return `kube lab stopped (supervisor ${this.child.pid}${names ? `; ${names}` : ''})${finished.length ? `; the lab exited before ${finished.join(', ')}, stopped them` : ''}`;
  }
}

/**
 * What the sandbox's VS Code (extension host and integrated terminal) needs in its environment so that Ondat's
 * default install method works there: the lab's kubectl-storageos stand-in on PATH. The 2.6.0 manifests for
 * installMethod=manifests are at ondatManifestsFile() (lab/kube/fixtures/manifests.ts).
 */
export function sandboxToolEnv(basePath: string | undefined = process.env.PATH): { PATH: string } {
  return { PATH: pathWithPlugin(basePath) };
}
