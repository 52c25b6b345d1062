// A DMS in the Agent lab for the end-to-end tests: real sshds whose users' shell emulates DataMiner Agents, an SSH
// config and known_hosts in a home folder of its own, and the backout command line run as a child process the way a
// person runs it (prompts answered on stdin), so a test can also kill it in the middle of a step.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentLab, startLab } from '../../../lab/agent/lab';
import type { AgentSeed } from '../../../lab/agent/seed';
import type { TargetRef } from '../../../src/core/plan';
import type { Prompter } from '../../../src/core/ports';
import { registerTeardown } from '../teardown';

/** A prompter that says no to everything: a test that reaches a question (e.g. an unknown host key) fails visibly. */
export const refuseAll: Prompter = {
  confirm: async () => false,
  typeToConfirm: async () => false,
  askSecret: async () => undefined,
  pick: async () => undefined,
};

/** The DMS target that executor-level tests run under. */
export const target: TargetRef = { kind: 'dms', name: 'lab', production: false };

const CLI_CHILD = path.join(__dirname, 'fixtures', 'cli-child.js');
const PROCEDURES = path.join(__dirname, 'fixtures', 'procedures.js');

export interface DmsLab {
  lab: AgentLab;
  home: string;
  runsDir: string;
  /** Extra folders put first on PATH of the command line (e.g. a virsh stand-in). */
  binDirs: string[];
  agentsParam: string;
  stop(): Promise<void>;
}

/**
 * `userPrefix` names the lab's users (default `bkdm`, not the lab's own default `bkdma`, which other labs use): labs that
 * may be up at the same time need different prefixes.
 */
export async function startDms(agents: AgentSeed[], options: { userPrefix?: string } = {}): Promise<DmsLab> {
  const lab = await startLab({ agents, userPrefix: options.userPrefix ?? 'bkdm' });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-dm-home-'));
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  const config = lab.agents
    .map((a) => `Host ${a.name}\n  HostName ${a.host}\n  Port ${a.port}\n  User ${a.user}\n  IdentityFile ${lab.clientKeyPath}\n  IdentitiesOnly yes\n`)
    .join('\n');
  fs.writeFileSync(path.join(home, '.ssh', 'config'), config);
  fs.writeFileSync(path.join(home, '.ssh', 'known_hosts'), `${lab.knownHostsLines().join('\n')}\n`);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await lab.stop();
    fs.rmSync(home, { recursive: true, force: true });
  };
  registerTeardown(stop);
  return {
    lab,
    home,
    runsDir: path.join(home, 'runs'),
    binDirs: [],
    // Each Agent's address in UpgradeInfo.xml: the loopback address of its own that its DMS knows it by.
    agentsParam: lab.agents.map((a) => `${a.name}=${a.address}`).join(','),
    stop,
  };
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process ends. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stdout(): string;
}

/** Starts `backout <args>` with the DataMiner procedure loaded; `answers` are written to its stdin up front. */
export function backout(dms: DmsLab, args: string[], answers: string[] = []): CliRun {
  // Runs print every output line (-v), so a failure's message shows what the Agent answered.
  const verbose = args[0] === 'run' || args[0] === 'resume' ? ['-v'] : [];
  const withProcedures = [args[0] as string, '--procedures', PROCEDURES, ...verbose, ...args.slice(1)];
  const child = spawn(process.execPath, [CLI_CHILD, ...withProcedures], {
    env: {
      ...process.env,
      HOME: dms.home,
      BACKOUT_RUNS_DIR: dms.runsDir,
      SSH_AUTH_SOCK: '',
      PATH: [...dms.binDirs, process.env.PATH ?? ''].join(path.delimiter),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin?.write(answers.map((a) => `${a}\n`).join(''));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })),
  );
  return { child, done, stdout: () => out };
}

/** `n` answers "1" (Done) for manual steps. */
export function done(n: number): string[] {
  return Array.from({ length: n }, () => '1');
}

/** The run id the command line printed. */
export function runIdOf(stdout: string): string {
  const m = /Run (\S+) (?:started|resumed) in/.exec(stdout);
  if (m?.[1] === undefined) throw new Error(`no run id in:\n${stdout}`);
  return m[1];
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Calls an Agent recorded whose decoded script matches `pattern` and that really ran (no fault injected). */
export function executedCalls(lab: AgentLab, agent: string, pattern: RegExp): Array<Record<string, unknown>> {
  return lab.calls(agent).filter((c) => c.fault === undefined && typeof c.script === 'string' && pattern.test(c.script));
}
