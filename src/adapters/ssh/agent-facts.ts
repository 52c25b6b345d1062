// Read-only facts about one Agent, gathered over SSH: reachable or not (and why), which DefaultShell answers, the
// DataMiner version from VersionHistory.txt, the installed versions of the modules the downgrade swaps, the installers
// in Tools\ModuleInstallers, and where the Taskbar Utility is. Nothing here changes the Agent.
import type { LineSink } from '../../core/ports';
import {
  currentVersion,
  findModules,
  ModuleVersion,
  parseBooleans,
  parseInstalledPrograms,
  parseModuleInstallerName,
  parseVersionHistory,
  VersionHistoryEntry,
} from '../../core/dataminer/agent-output';
import {
  AgentPaths,
  DEFAULT_AGENT_PATHS,
  DefaultShell,
  detectShell,
  listInstalledPrograms,
  listModuleInstallers,
  locateTaskbarUtility,
  readVersionHistory,
  TASKBAR_UTILITY_CANDIDATES,
} from '../../core/dataminer/windows-commands';
import type { AgentEndpoint } from './endpoint';
import { describeEndpoint } from './endpoint';
import type { SshPool } from './pool';

export interface AgentFacts {
  agent: string;
  reachable: boolean;
  /** Why the Agent could not be reached or read (the typed error's message). */
  error?: string;
  shell?: DefaultShell;
  version?: VersionHistoryEntry;
  history?: VersionHistoryEntry[];
  modules?: ModuleVersion[];
  moduleInstallers?: Array<{ module: string; version: string; fileName: string }>;
  taskbarUtility?: string;
}

export interface FactOptions {
  paths?: AgentPaths;
  /** Skip detection when the inventory says which DefaultShell the Agent has. */
  shell?: DefaultShell;
  timeoutMs?: number;
  signal?: AbortSignal;
  sink?: LineSink;
}

export async function detectDefaultShell(pool: SshPool, endpoint: AgentEndpoint, options: FactOptions = {}): Promise<DefaultShell> {
  const r = await pool.exec(endpoint, detectShell().line, { idempotent: true, timeoutMs: options.timeoutMs ?? 30_000, ...(options.signal ? { signal: options.signal } : {}) });
  return r.stdout.trim() === 'Windows_NT' ? 'cmd' : 'powershell';
}

export async function gatherAgentFacts(pool: SshPool, endpoint: AgentEndpoint, options: FactOptions = {}): Promise<AgentFacts> {
  const agent = describeEndpoint(endpoint);
  const run = { idempotent: true, timeoutMs: options.timeoutMs ?? 60_000, ...(options.signal ? { signal: options.signal } : {}), ...(options.sink ? { sink: options.sink } : {}) };
  try {
    const shell = options.shell ?? (await detectDefaultShell(pool, endpoint, options));
    const located = await pool.exec(endpoint, locateTaskbarUtility(shell).line, run);
    const found = parseBooleans(located.stdout);
    const taskbar = TASKBAR_UTILITY_CANDIDATES.find((_, i) => found[i] === true);
    const paths = { ...(options.paths ?? DEFAULT_AGENT_PATHS), ...(taskbar === undefined ? {} : { taskbarUtility: taskbar }) };
    const [history, programs, installers] = await Promise.all([
      pool.exec(endpoint, readVersionHistory(paths, shell).line, run),
      pool.exec(endpoint, listInstalledPrograms(shell).line, run),
      pool.exec(endpoint, listModuleInstallers(paths, shell).line, run),
    ]);
    const facts: AgentFacts = { agent, reachable: true, shell, ...(taskbar === undefined ? {} : { taskbarUtility: taskbar }) };
    if (history.exitCode === 0) {
      facts.history = parseVersionHistory(history.stdout);
      const v = currentVersion(facts.history);
      if (v !== undefined) facts.version = v;
    }
    if (programs.exitCode === 0) facts.modules = findModules(parseInstalledPrograms(programs.stdout));
    if (installers.exitCode === 0) {
      facts.moduleInstallers = installers.stdout
        .split(/\r?\n/)
        .map((l) => parseModuleInstallerName(l.trim()))
        .filter((x): x is NonNullable<typeof x> => x !== undefined);
    }
    const failed = [history, programs, installers].filter((r) => r.exitCode !== 0);
    if (failed.length > 0) facts.error = failed.map((r) => r.stderr.split('\n')[0]).join('; ');
    return facts;
  } catch (err) {
    return { agent, reachable: false, error: err instanceof Error ? err.message : String(err) };
  }
}
