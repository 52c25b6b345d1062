// Command line of the kube lab, for the sandbox and for people:
//   node out/lab/kube/cli.js build                      build the binaries once (or reuse the cache)
//   node out/lab/kube/cli.js start [options]            start in the background, print where the kubeconfig is
//   node out/lab/kube/cli.js run [options]              the same in the foreground (Ctrl-C stops it)
//   node out/lab/kube/cli.js status [--dir D]           what runs (exit 0 when the lab is up, 3 when not)
//   node out/lab/kube/cli.js stop [--dir D]             stop everything by PID
// Options: --dir D (default $TMPDIR/backout-kube-lab), --nodes N, --ondat current|legacy|helm, --bulk N (pods).
import { spawn } from 'child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ensureBinaries } from './binaries';
import { KubeLab } from './lab';
import { OndatVariant } from './fixtures/naming';
import { pidAlive, stopPid } from './process';

interface LabState {
  status: 'starting' | 'ready' | 'failed';
  supervisor: number;
  kubeconfig?: string;
  server?: string;
  contexts?: Record<string, string>;
  pids?: Record<string, number>;
  ondat?: string;
  error?: string;
  startedMs?: number;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function labDir(args: string[]): string {
  return option(args, 'dir') ?? join(tmpdir(), 'backout-kube-lab');
}

function stateFile(dir: string): string {
  return join(dir, 'state.json');
}

function readState(dir: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

function writeState(dir: string, state: LabState): void {
  writeFileSync(stateFile(dir), JSON.stringify(state, null, 2));
}

async function run(args: string[]): Promise<void> {
  const dir = labDir(args);
  const existing = readState(dir);
  if (existing && pidAlive(existing.supervisor) && existing.supervisor !== process.pid) {
    throw new Error(`a kube lab already runs from ${dir} (pid ${existing.supervisor}); stop it first`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  writeState(dir, { status: 'starting', supervisor: process.pid });
  let lab: KubeLab | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      await lab?.stop().catch((err: unknown) => console.error(`kube lab: stop failed: ${String(err)}`));
      rmSync(stateFile(dir), { force: true });
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  try {
    lab = await KubeLab.start({
      dir,
      keepDir: true,
      nodes: Number(option(args, 'nodes') ?? 3),
      log: (line) => console.log(`kube lab: ${line}`),
    });
    const ondat = option(args, 'ondat') as OndatVariant | undefined;
    if (ondat) await lab.applyOndat(ondat);
    const bulk = option(args, 'bulk');
    if (bulk) {
      if (!ondat) await lab.applyOndat('current');
      await lab.applyBulk({ pods: Number(bulk), namespaces: 20, ondatEvery: 3 });
    }
    writeState(dir, {
      status: 'ready',
      supervisor: process.pid,
      kubeconfig: lab.kubeconfig,
      server: lab.server,
      contexts: { ...KubeLab.contexts },
      pids: lab.pids(),
      ondat,
      startedMs: Date.now() - started,
    });
    console.log(`kube lab: ready in ${Date.now() - started} ms; KUBECONFIG=${lab.kubeconfig}`);
  } catch (err) {
    writeState(dir, { status: 'failed', supervisor: process.pid, error: err instanceof Error ? err.message : String(err) });
    console.error(`kube lab: ${err instanceof Error ? err.message : String(err)}`);
    await stop(1);
  }
}

async function start(args: string[]): Promise<void> {
  const dir = labDir(args);
  const existing = readState(dir);
  if (existing && pidAlive(existing.supervisor)) {
    console.log(JSON.stringify(existing, null, 2));
    return;
  }
  mkdirSync(dir, { recursive: true });
  // The build can take minutes; do it here so that its progress is visible.
  await ensureBinaries((line) => console.error(line));
  const log = join(tmpdir(), `backout-kube-lab-${process.pid}.log`);
  const out = openSync(log, 'a');
  const child = spawn(process.execPath, [__filename, 'run', ...args.filter((a) => a !== 'start')], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const state = readState(dir);
    if (state !== undefined && state.supervisor === child.pid && state.status === 'ready') {
      console.log(JSON.stringify(state, null, 2));
      return;
    }
    if (state?.status === 'failed' || !pidAlive(child.pid ?? -1)) {
      throw new Error(`kube lab did not start: ${state?.error ?? 'see'} (log: ${log})`);
    }
  }
  stopPid(child.pid ?? -1, 'SIGTERM');
  throw new Error(`kube lab not ready after 180 s (log: ${log})`);
}

async function stop(args: string[]): Promise<void> {
  const dir = labDir(args);
  const state = readState(dir);
  if (!state) {
    console.log(`kube lab: nothing runs from ${dir}`);
    return;
  }
  stopPid(state.supervisor, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (pidAlive(state.supervisor) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // If the supervisor could not stop them, stop the control plane by its PIDs: apiserver before etcd.
  for (const name of ['kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd']) {
    const pid = state.pids?.[name];
    if (pid && pidAlive(pid)) stopPid(pid, 'SIGKILL');
  }
  if (pidAlive(state.supervisor)) stopPid(state.supervisor, 'SIGKILL');
  rmSync(stateFile(dir), { force: true });
  console.log('kube lab: stopped');
}

function status(args: string[]): void {
  const dir = labDir(args);
  const state = readState(dir);
  const up = state !== undefined && state.status === 'ready' && pidAlive(state.supervisor);
  const alive = Object.fromEntries(Object.entries(state?.pids ?? {}).map(([k, pid]) => [k, { pid, alive: pidAlive(pid) }]));
  console.log(JSON.stringify({ dir, up, ...state, pids: alive }, null, 2));
  process.exitCode = up ? 0 : 3;
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'build':
      console.log(await ensureBinaries((line) => console.error(line)));
      return;
    case 'start':
      return start(args);
    case 'run':
      return run(args);
    case 'stop':
      return stop(args);
    case 'status':
      return status(args);
    default:
      console.error('usage: cli.js build | start | run | status | stop  [--dir D] [--nodes N] [--ondat current|legacy|helm] [--bulk N]');
      process.exitCode = 2;
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
