// What Backout knows about one DataMiner Agent, and the one reader that finds it out — read-only: which DefaultShell
// answers, where the Taskbar Utility is, VersionHistory.txt, and on request the installed modules the downgrade swaps,
// the ModuleInstallers folder and whether given files exist. The Targets view (through the SSH adapter) and the
// planner (through the run's fact reader) both read Agents with it; each passes its own way of running a command.
import { currentVersion, findModules, parseBooleans, parseInstalledPrograms, parseVersionHistory, type ModuleVersion, type VersionHistoryEntry } from './agent-output';
import {
  DEFAULT_AGENT_PATHS,
  detectShell,
  listInstalledPrograms,
  listModuleInstallers,
  locateTaskbarUtility,
  readVersionHistory,
  TASKBAR_UTILITY_CANDIDATES,
  testPath,
  type AgentPaths,
  type DefaultShell,
} from './windows-commands';

/** What one read-only command answered. */
export interface AgentAnswer {
  exitCode: number;
  stdout: string;
  /** How the caller describes a failed command in messages (e.g. its first stderr line); used when exitCode is not 0. */
  failure: string;
}

/** Runs one read-only command line on the Agent; rejects when the Agent cannot be reached. */
export type AgentRead = (line: string) => Promise<AgentAnswer>;

/** What each read is called in messages, in the order an Agent is read. */
export const AGENT_READS = {
  shell: 'its default shell',
  taskbar: 'the Taskbar Utility location',
  history: 'VersionHistory.txt',
  programs: 'the installed programs',
  installers: 'the ModuleInstallers folder',
} as const;

/** One read that did not give an answer: what was being read, and why. */
export interface AgentReadFailure {
  /** What was being read, as messages name it ("VersionHistory.txt", "the installed programs"). */
  what: string;
  reason: string;
  /** False when the Agent could not be reached at all (the read rejected), true when the command ran and failed. */
  reached: boolean;
}

export interface AgentFacts {
  reachable: boolean;
  /** Why the Agent could not be reached or read: the failures' reasons, `; `-joined. */
  error?: string;
  failures: AgentReadFailure[];
  shell?: DefaultShell;
  /** Paths on this Agent, with the Taskbar Utility where it was found (the default when it was found nowhere). */
  paths: AgentPaths;
  /** The documented Taskbar Utility location found on the Agent; undefined when it is in none of them. */
  taskbarUtility?: string;
  history?: VersionHistoryEntry[];
  /** The version the Agent runs: the last line of VersionHistory.txt. */
  version?: VersionHistoryEntry;
  /** Installed StorageModule / UserDefinableApiEndpoint (with `modules: true`, or readModuleFacts). */
  modules?: ModuleVersion[];
  /** File names in Tools\ModuleInstallers (with `modules: true`, or readModuleFacts). */
  installers?: string[];
  /** For given paths (readPathPresence): which of them exist on the Agent. */
  packagesPresent?: Record<string, boolean>;
}

export interface AgentReadOptions {
  paths?: AgentPaths;
  /** Skip detection when the inventory says which DefaultShell the Agent has. */
  shell?: DefaultShell;
  /** Also read the installed modules and the ModuleInstallers folder. */
  modules?: boolean;
}

class Unreachable extends Error {}

/** The answer's stdout, or undefined after recording why there is none; a rejected read stops the whole reading. */
async function ask(read: AgentRead, facts: AgentFacts, what: string, line: string): Promise<string | undefined> {
  let answer: AgentAnswer;
  try {
    answer = await read(line);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    facts.failures.push({ what, reason, reached: false });
    throw new Unreachable(reason);
  }
  if (answer.exitCode === 0) return answer.stdout;
  facts.failures.push({ what, reason: answer.failure, reached: true });
  return undefined;
}

function settle(facts: AgentFacts): AgentFacts {
  if (facts.failures.length > 0) facts.error = facts.failures.map((f) => f.reason).join('; ');
  else delete facts.error;
  return facts;
}

/** cmd.exe expands %OS% to Windows_NT; PowerShell echoes it as written. */
export function shellFromEcho(stdout: string): DefaultShell {
  return stdout.split(/\r?\n/).some((l) => l.trim() === 'Windows_NT') ? 'cmd' : 'powershell';
}

/** Which DefaultShell answers on the Agent (the command is sent as is; it works under both). */
export async function readDefaultShell(read: AgentRead): Promise<DefaultShell> {
  return shellFromEcho((await read(detectShell().line)).stdout);
}

/** Reads one Agent; never rejects: an Agent that cannot be reached is `reachable: false` with the reason. */
export async function readAgentFacts(read: AgentRead, options: AgentReadOptions = {}): Promise<AgentFacts> {
  const facts: AgentFacts = { reachable: true, failures: [], paths: options.paths ?? DEFAULT_AGENT_PATHS };
  try {
    const echo = options.shell === undefined ? await ask(read, facts, AGENT_READS.shell, detectShell().line) : undefined;
    if (options.shell === undefined && echo === undefined) return settle(facts);
    const shell = options.shell ?? shellFromEcho(echo ?? '');
    facts.shell = shell;
    const located = await ask(read, facts, AGENT_READS.taskbar, locateTaskbarUtility(shell).line);
    const found = parseBooleans(located ?? '');
    const taskbar = TASKBAR_UTILITY_CANDIDATES.find((_, i) => found[i] === true);
    if (taskbar !== undefined) {
      facts.taskbarUtility = taskbar;
      facts.paths = { ...facts.paths, taskbarUtility: taskbar };
    }
    const history = ask(read, facts, AGENT_READS.history, readVersionHistory(facts.paths, shell).line);
    const modules = options.modules === true ? readModules(read, facts, shell) : Promise.resolve();
    const text = await history;
    if (text !== undefined) {
      facts.history = parseVersionHistory(text);
      const current = currentVersion(facts.history);
      if (current !== undefined) facts.version = current;
    }
    await modules;
    return settle(facts);
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    facts.reachable = false;
    return settle(facts);
  }
}

async function readModules(read: AgentRead, facts: AgentFacts, shell: DefaultShell): Promise<void> {
  const [programs, installers] = await Promise.all([
    ask(read, facts, AGENT_READS.programs, listInstalledPrograms(shell).line),
    ask(read, facts, AGENT_READS.installers, listModuleInstallers(facts.paths, shell).line),
  ]);
  if (programs !== undefined) facts.modules = findModules(parseInstalledPrograms(programs));
  if (installers !== undefined) {
    facts.installers = installers
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
  }
}

/** Adds the installed modules and the ModuleInstallers folder to facts already read (for the module swap). */
export async function readModuleFacts(read: AgentRead, facts: AgentFacts): Promise<AgentFacts> {
  if (facts.shell === undefined) return facts;
  try {
    await readModules(read, facts, facts.shell);
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    facts.reachable = false;
  }
  return settle(facts);
}

/** Adds whether each path exists on the Agent (for packages said to be there already). */
export async function readPathPresence(read: AgentRead, facts: AgentFacts, paths: readonly string[]): Promise<AgentFacts> {
  const shell = facts.shell;
  if (shell === undefined) return facts;
  const present: Record<string, boolean> = {};
  try {
    for (const p of paths) {
      const out = await ask(read, facts, `whether ${p} exists`, testPath(p, shell).line);
      if (out !== undefined) present[p] = parseBooleans(out)[0] === true;
    }
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    facts.reachable = false;
  }
  facts.packagesPresent = present;
  return settle(facts);
}
