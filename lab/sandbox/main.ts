// `npm run sandbox`: a 3-Agent DataMiner System (the Agent lab), a Kubernetes cluster with Ondat 2.7.0 (the kube
// lab) and a real VS Code (code-server) with the packaged extension, whose workspace and settings point at both.
// Prints the URL to open; Ctrl-C stops every process it started. Everything it writes lives in one state folder
// (see layout.ts), never in the user's ~/.ssh, ~/.kube or ~/.backout.
//
//   node out/lab/sandbox/main.js [--port N] [--state-dir D] [--user-prefix P] [--vsix F] [--exit-after-ready]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readManifest, stopLabDir } from '../agent/lab';
import { cachedBinDir, ensureBinaries } from '../kube/binaries';
import { CODE_SERVER_VERSION, codeServerInstalled } from '../../test/harness/cache';
import type { AgentChildInput, AgentChildReady } from './agent-child';
import { forkChild, stopChild } from './child';
import type { CodeServerChildInput, CodeServerChildReady } from './code-server-child';
import { SandboxKubeLab, sandboxToolEnv, type KubeLabReady } from './kube-lab';
import { defaultStateDir, layout, ownership, type Layout } from './layout';
import { alive, processesOf } from './procs';
import { Progress } from './progress';
import { SANDBOX_DMSS } from './dms';
import { sandboxSettings, writeWorkspace } from './workspace';

const REPO = path.resolve(__dirname, '..', '..', '..');
const NODES = 3;

interface Options {
  port?: number;
  stateDir: string;
  userPrefix: string;
  vsix: string;
  exitAfterReady: boolean;
}

/** What a running sandbox records in <state>/sandbox.json: tests and a second `npm run sandbox` read it. */
export interface SandboxRecord {
  pid: number;
  status: 'starting' | 'ready';
  stateDir: string;
  url?: string;
  openUrl?: string;
  paths: Layout;
  agentSshdPids?: number[];
  kube?: { supervisor: number; pids: Record<string, number>; context: string };
  codeServerChild?: number;
}

const USAGE = `usage: npm run sandbox [-- --port N] [--state-dir DIR] [--user-prefix P] [--vsix FILE] [--exit-after-ready]
  --port N             code-server's port on 127.0.0.1 (default: a free one)
  --state-dir DIR      where the sandbox keeps its files (default: ${defaultStateDir()})
  --user-prefix P      prefix of the Agent lab's Linux users (default bksbx); sandboxes running at once need different ones
  --vsix FILE          the packaged extension to install (default: backout.vsix of the repository)
  --exit-after-ready   stop everything again once ready (a smoke test)`;

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'state-dir': { type: 'string' },
      'user-prefix': { type: 'string' },
      vsix: { type: 'string' },
      'exit-after-ready': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return undefined;
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port must be 1..65535, not ${values.port}`);
  const userPrefix = values['user-prefix'] ?? 'bksbx';
  // Linux user names: the lab appends two digits.
  if (!/^[a-z][a-z0-9]{1,12}$/.test(userPrefix)) throw new Error(`--user-prefix must be 2–13 lower-case letters or digits, starting with a letter`);
  return {
    ...(port === undefined ? {} : { port }),
    stateDir: path.resolve(values['state-dir'] ?? defaultStateDir()),
    userPrefix,
    vsix: path.resolve(values.vsix ?? path.join(REPO, 'backout.vsix')),
    exitAfterReady: values['exit-after-ready'] === true,
  };
}

function readRecord(file: string): SandboxRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxRecord;
  } catch {
    return undefined;
  }
}

function writeRecord(record: SandboxRecord): void {
  fs.writeFileSync(record.paths.record, JSON.stringify(record, null, 2) + '\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Stops processes by PID: SIGTERM, then SIGKILL for those still there after `graceMs`. */
async function stopPids(pids: number[], graceMs: number): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

class Sandbox {
  private readonly progress = new Progress();
  private readonly stops: Array<{ what: string; run: () => Promise<string> }> = [];
  private shuttingDown = false;
  private readonly paths: Layout;
  private record: SandboxRecord;

  constructor(private readonly options: Options) {
    this.paths = layout(options.stateDir);
    this.record = { pid: process.pid, status: 'starting', stateDir: options.stateDir, paths: this.paths };
  }

  /** Refuses to run twice on one state folder; stops what a sandbox that was killed outright left running. */
  private async preflight(): Promise<void> {
    if (process.platform !== 'linux') throw new Error('The sandbox runs its labs on Linux only.');
    if (process.getuid?.() !== 0) {
      throw new Error('The Agent lab creates Linux users and runs sshd: run the sandbox as root (e.g. in the dev container).');
    }
    // The lab users must be able to reach the Agent lab's folder (see layout.ts).
    for (let dir = path.dirname(this.paths.agentLab); ; dir = path.dirname(dir)) {
      if ((fs.statSync(dir).mode & 0o001) === 0) {
        throw new Error(`${dir} is not searchable by other users, so the Agent lab's users could not reach ${this.paths.agentLab}; set TMPDIR to a folder they can reach (such as /tmp).`);
      }
      if (path.dirname(dir) === dir) break;
    }
    if (!fs.existsSync(this.options.vsix)) throw new Error(`${this.options.vsix} is missing: package the extension first (npm run package).`);
    const previous = readRecord(this.paths.record);
    if (previous !== undefined && previous.pid !== process.pid && alive(previous.pid)) {
      throw new Error(
        `A sandbox already runs from ${this.options.stateDir} (pid ${previous.pid}${previous.openUrl ? `, ${previous.openUrl}` : ''}). ` +
          'Stop it with Ctrl-C in its terminal, or start another one with --state-dir DIR --user-prefix P.',
      );
    }
    const leftovers = processesOf(ownership(this.paths));
    if (leftovers.length > 0) {
      this.progress.line(`stopping ${leftovers.length} process(es) left by a sandbox that did not stop: ${leftovers.map((p) => p.pid).join(', ')}`);
      await stopPids(
        leftovers.map((p) => p.pid),
        5000,
      );
    }
    // Every start is fresh: the labs get new ports and keys, and runs of an earlier lab cannot be resumed on this one.
    for (const dir of [this.paths.workspace, this.paths.vscode, this.paths.logs, this.paths.agentLab, this.paths.kubeLab]) fs.rmSync(dir, { recursive: true, force: true });
    for (const dir of [this.paths.logs, this.paths.runs, this.paths.agentLab, this.paths.kubeLab]) fs.mkdirSync(dir, { recursive: true });
    writeRecord(this.record);
  }

  /** Called right before anything is spawned: once stopping has begun, nothing new may start (it would be orphaned). */
  private guard(): void {
    if (this.shuttingDown) throw new Error('the sandbox is stopping');
  }

  private onStop(what: string, run: () => Promise<string>): void {
    this.stops.push({ what, run });
  }

  private async kubeLab(): Promise<KubeLabReady> {
    const buildLog = path.join(this.paths.logs, 'kube-build.log');
    const cached = await cachedBinDir();
    await this.progress.phase(
      'kube binaries',
      cached === undefined ? `building Kubernetes 1.20.2 from Debian's source (once, 6–8 min; log ${buildLog})` : 'cached',
      () => ensureBinaries((line) => fs.appendFileSync(buildLog, line + '\n')),
      (dir) => dir,
    );
    const logFile = path.join(this.paths.logs, 'kube-lab.log');
    return this.progress.phase(
      'kube lab',
      `starting a control plane with ${NODES} nodes, Ondat 2.7.0 and sample workloads (log ${logFile})`,
      async () => {
        this.guard();
        const lab = SandboxKubeLab.spawn(path.join(REPO, 'out', 'lab', 'kube', 'cli.js'), this.paths.kubeLab, NODES, logFile);
        this.onStop('kube lab', () => lab.stop());
        const ready = await lab.waitReady(300_000);
        this.record.kube = { supervisor: lab.child.pid ?? -1, pids: ready.pids, context: ready.contexts.admin ?? '' };
        return ready;
      },
      (r) => `ready at ${r.server}, context ${r.contexts.admin}`,
    );
  }

  private async agentLab(): Promise<AgentChildReady> {
    const logFile = path.join(this.paths.logs, 'agent-lab.log');
    return this.progress.phase(
      'Agent lab',
      `starting ${SANDBOX_DMSS.map((d) => `${d.name} (${d.agents.length} Agents at DataMiner ${d.version})`).join(' and ')} (users ${this.options.userPrefix}01…; log ${logFile})`,
      async () => {
        const input: AgentChildInput = { dir: this.paths.agentLab, userPrefix: this.options.userPrefix };
        this.guard();
        const forked = forkChild<AgentChildReady>(path.join(__dirname, 'agent-child.js'), input, { what: 'Agent lab', logFile, timeoutMs: 90_000 });
        this.onStop('Agent lab', async () => {
          await stopChild(forked.child, 5000);
          if (!fs.existsSync(path.join(this.paths.agentLab, 'lab.json'))) return 'Agent lab: nothing was running';
          const pids = readManifest(this.paths.agentLab).agents.map((a) => a.pid);
          const n = await stopLabDir(this.paths.agentLab);
          return `Agent lab stopped (${n} sshd${n === 1 ? '' : 's'}: pids ${pids.join(', ')})`;
        });
        const ready = await forked.ready;
        this.record.agentSshdPids = ready.agents.map((a) => a.pid);
        return ready;
      },
      (r) => `ready: ${r.agents.map((a) => `${a.name} ${a.user}@${a.address}:${a.port}`).join(', ')}`,
    );
  }

  private async codeServer(): Promise<CodeServerChildReady> {
    const logFile = path.join(this.paths.logs, 'code-server-child.log');
    const installed = codeServerInstalled();
    return this.progress.phase(
      'code-server',
      installed
        ? `starting VS Code ${CODE_SERVER_VERSION.replace(/^4\./, '1.')} with ${path.basename(this.options.vsix)}`
        : `installing Node 24 and code-server ${CODE_SERVER_VERSION} from npm (once, ~2 min; log ${logFile})`,
      async (note) => {
        // The lab's client key is where startLab puts it; the settings can be written before the Agent lab is up.
        const clientKey = path.join(this.paths.agentLab, 'client', 'id_ed25519');
        const input: CodeServerChildInput = {
          workspace: this.paths.workspace,
          scratch: this.paths.vscode,
          ...(this.options.port === undefined ? {} : { port: this.options.port }),
          vsix: this.options.vsix,
          userSettings: sandboxSettings(this.paths, clientKey),
          // For the integrated terminal: kubectl and the backout CLI see the same cluster and runs as the extension.
          env: { KUBECONFIG: this.paths.kubeconfig, BACKOUT_RUNS_DIR: this.paths.runs, ...sandboxToolEnv() },
        };
        this.guard();
        const forked = forkChild<CodeServerChildReady>(path.join(__dirname, 'code-server-child.js'), input, {
          what: 'code-server',
          logFile,
          timeoutMs: installed ? 120_000 : 20 * 60_000,
          onLog: note,
        });
        this.record.codeServerChild = forked.child.pid;
        this.onStop('code-server', async () => {
          await stopChild(forked.child, 10_000);
          return `code-server stopped (its process group, by pid ${forked.child.pid})`;
        });
        return forked.ready;
      },
      (r) => `listening on ${r.url}`,
    );
  }

  async start(): Promise<void> {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (this.shuttingDown) {
          this.progress.line(`${signal} again: killing what is left`);
          void this.forceStop();
          return;
        }
        void this.shutdown(signal === 'SIGINT' ? 'Ctrl-C' : signal, 0);
      });
    }
    this.progress.line(`Backout sandbox: files in ${this.options.stateDir}`);
    try {
      await this.preflight();
      fs.mkdirSync(this.paths.workspace, { recursive: true });
      const agents = this.agentLab().then((agentLab) =>
        this.progress.phase(
          'workspace',
          'writing the inventory, ssh config and known_hosts',
          async () => {
            writeWorkspace(this.paths, {
              agents: agentLab.agents,
              packages: agentLab.packages,
              clientKey: agentLab.clientKey,
              knownHostsLines: agentLab.knownHostsLines,
              schema: path.join(REPO, 'schemas', 'inventory.schema.json'),
              kubeContext: 'backout-lab-admin',
            });
            if (agentLab.clientKey !== path.join(this.paths.agentLab, 'client', 'id_ed25519')) {
              throw new Error(`the Agent lab's client key is ${agentLab.clientKey}, not where the VS Code settings expect it`);
            }
            return agentLab;
          },
          () => `${SANDBOX_DMSS.map((d) => `DMS "${d.name}"`).join(', ')} in ${this.paths.inventory}`,
        ),
      );
      const [agentLab, kube, server] = await Promise.all([agents, this.kubeLab(), this.codeServer()]);
      const openUrl = `${server.url}/?folder=${encodeURIComponent(this.paths.workspace).replace(/%2F/g, '/')}`;
      this.record = { ...this.record, status: 'ready', url: server.url, openUrl };
      writeRecord(this.record);
      this.printReady(openUrl, agentLab, kube);
      if (this.options.exitAfterReady) await this.shutdown('--exit-after-ready', 0);
    } catch (err) {
      this.progress.line(`sandbox did not start: ${err instanceof Error ? err.message : String(err)}`);
      await this.shutdown('start-up failed', 1);
    }
  }

  private printReady(openUrl: string, agentLab: AgentChildReady, kube: KubeLabReady): void {
    const lines = [
      '',
      `Backout sandbox ready in ${seconds(this.progress.elapsedMs())}. Open:`,
      '',
      `    ${openUrl}`,
      '',
      ...SANDBOX_DMSS.map(
        (d) =>
          `  DMS ${`"${d.name}"`.padEnd(16)}${agentLab.agents
            .filter((a) => a.dms === d.name)
            .map((a) => `${a.name} ${a.user}@${a.address}:${a.port}`)
            .join(', ')} (DataMiner ${d.version}; ${d.description})`,
      ),
      `  Kubernetes      context ${kube.contexts.admin} (${NODES} nodes, Ondat 2.7.0), ${kube.server}`,
      `  kubeconfig      ${kube.kubeconfig}`,
      `  workspace       ${this.paths.workspace} (inventory, ssh config, known_hosts, runs)`,
      `  logs            ${this.paths.logs}`,
      '',
      'Press Ctrl-C to stop everything.',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }

  private async shutdown(reason: string, code: number): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.progress.line(`${reason}: stopping everything the sandbox started…`);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref());
    const results = await Promise.race([
      Promise.allSettled(this.stops.map((s) => s.run())),
      timeout,
    ]);
    if (results === 'timeout') this.progress.line('stopping took longer than 60 s; killing what is left');
    else {
      results.forEach((r, i) => this.progress.line(r.status === 'fulfilled' ? r.value : `${this.stops[i]?.what}: stop failed: ${String(r.reason)}`));
    }
    // Whatever still carries the sandbox's folder was started by it (a helper of a helper): say so, and end it.
    const left = processesOf(ownership(this.paths));
    for (const p of left) this.progress.line(`left over: pid ${p.pid} ${p.command.slice(0, 160)}`);
    await stopPids(
      left.map((p) => p.pid),
      2000,
    );
    fs.rmSync(this.paths.record, { force: true });
    this.progress.line(`sandbox stopped${left.length === 0 ? '; none of its processes is left' : ` (${left.length} left-over process(es) killed)`}`);
    process.exit(code);
  }

  /** Second Ctrl-C: no more waiting, SIGKILL every process of the sandbox. */
  private async forceStop(): Promise<void> {
    const left = processesOf(ownership(this.paths));
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    fs.rmSync(this.paths.record, { force: true });
    process.exit(1);
  }
}

function main(): void {
  let options: Options | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
  if (options === undefined) {
    console.log(USAGE);
    return;
  }
  void new Sandbox(options).start();
}

main();
