// Facts first: what the planner needs to know about a DMS, read from every Agent without changing anything — which
// shell answers, where the Taskbar Utility is, the DataMiner version (VersionHistory.txt), and, when the module swap
// applies, the installed modules and the ModuleInstallers folder.
import type { FactsContext } from '../../core/procedure';
import type { SshAction } from '../../core/plan';
import type { AgentRef } from './agents';
import { currentVersion, findModules, parseBooleans, parseInstalledPrograms, parseVersionHistory, type ModuleVersion, type VersionHistoryEntry } from '../../core/dataminer/agent-output';
import { AgentFactError, AgentsDisagreeError, agentLabel } from './errors';
import { compareVersions, formatVersion, parseVersion, type DmVersion } from './version';
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
} from '../../core/dataminer/windows-commands';

export interface AgentFacts {
  agent: AgentRef;
  shell: DefaultShell;
  paths: AgentPaths;
  /** The version the Agent runs: the last line of VersionHistory.txt. */
  version: DmVersion;
  history: VersionHistoryEntry[];
  /** Installed StorageModule / UserDefinableApiEndpoint, read when the module swap applies. */
  modules?: ModuleVersion[];
  /** File names in Tools\ModuleInstallers, read when the module swap applies. */
  installers?: string[];
  /** For packages already on the Agents: which of them exist here. */
  packagesPresent?: Record<string, boolean>;
}

export interface DmsFacts {
  agents: AgentFacts[];
  /** The one version every Agent runs. */
  version: DmVersion;
}

async function read(ctx: FactsContext, agent: AgentRef, what: string, command: string): Promise<string[]> {
  const action: SshAction = { kind: 'ssh', host: agent.name, command };
  let result: { exitCode: number; output: string[] };
  try {
    result = await ctx.read(action);
  } catch (err) {
    throw new AgentFactError(agentLabel(agent), what, (err as Error).message, 'Check that the Agent is reachable over SSH (backout.ssh settings, known_hosts), then plan again.');
  }
  if (result.exitCode !== 0) {
    const tail = result.output.slice(-3).join(' | ');
    throw new AgentFactError(agentLabel(agent), what, `exit code ${result.exitCode}${tail ? ` (${tail})` : ''}`, 'Check the account has administrator rights on the Agent, then plan again.');
  }
  return result.output;
}

/** cmd.exe expands %OS% to Windows_NT; PowerShell echoes it as written. */
export function shellFromEcho(output: readonly string[]): DefaultShell {
  return output.some((l) => l.trim() === 'Windows_NT') ? 'cmd' : 'powershell';
}

async function agentBasics(ctx: FactsContext, agent: AgentRef): Promise<AgentFacts> {
  const shell = shellFromEcho(await read(ctx, agent, 'its default shell', detectShell().line));
  const found = parseBooleans((await read(ctx, agent, 'the Taskbar Utility location', locateTaskbarUtility(shell).line)).join('\n'));
  const index = found.findIndex((b) => b);
  if (index < 0) {
    throw new AgentFactError(agentLabel(agent), 'the Taskbar Utility', `SLTaskbarUtility.exe is in none of ${TASKBAR_UTILITY_CANDIDATES.join(', ')}`, 'Install the DataMiner Taskbar Utility on the Agent, then plan again.');
  }
  const paths: AgentPaths = { ...DEFAULT_AGENT_PATHS, taskbarUtility: TASKBAR_UTILITY_CANDIDATES[index] as string };
  const history = parseVersionHistory((await read(ctx, agent, 'VersionHistory.txt', readVersionHistory(paths, shell).line)).join('\n'));
  const current = currentVersion(history);
  if (current === undefined) {
    throw new AgentFactError(agentLabel(agent), 'its DataMiner version', 'C:\\Skyline DataMiner\\Upgrades\\VersionHistory.txt has no version line', 'Check that DataMiner is installed on this Agent.');
  }
  let version: DmVersion;
  try {
    version = parseVersion(current.build);
  } catch (err) {
    throw new AgentFactError(agentLabel(agent), 'its DataMiner version', (err as Error).message, 'Check VersionHistory.txt on the Agent.');
  }
  return { agent, shell, paths, version, history };
}

/** Reads every Agent's basics and refuses when they disagree on the version. */
export async function gatherDmsFacts(ctx: FactsContext, dms: string, agents: readonly AgentRef[]): Promise<DmsFacts> {
  const facts = await Promise.all(agents.map((a) => agentBasics(ctx, a)));
  const first = facts[0];
  if (first === undefined) throw new AgentFactError(dms, 'its Agents', 'the agents parameter lists none', 'Give the Agents as --param agents=dma-01=10.0.0.11,dma-02=10.0.0.12.');
  if (facts.some((f) => compareVersions(f.version, first.version) !== 0)) {
    throw new AgentsDisagreeError(dms, facts.map((f) => ({ agent: agentLabel(f.agent), version: `${formatVersion(f.version)} (${f.version.raw})` })));
  }
  return { agents: facts, version: first.version };
}

/** Installed modules and the ModuleInstallers folder of every Agent (for the module swap). */
export async function gatherModuleFacts(ctx: FactsContext, facts: DmsFacts): Promise<void> {
  await Promise.all(
    facts.agents.map(async (f) => {
      f.modules = findModules(parseInstalledPrograms((await read(ctx, f.agent, 'the installed programs', listInstalledPrograms(f.shell).line)).join('\n')));
      f.installers = (await read(ctx, f.agent, 'the ModuleInstallers folder', listModuleInstallers(f.paths, f.shell).line)).map((l) => l.trim()).filter((l) => l !== '');
    }),
  );
}

/** Whether each package path already on the Agents exists there. */
export async function gatherPackagePresence(ctx: FactsContext, facts: DmsFacts, paths: readonly string[]): Promise<void> {
  await Promise.all(
    facts.agents.map(async (f) => {
      const present: Record<string, boolean> = {};
      for (const p of paths) present[p] = parseBooleans((await read(ctx, f.agent, `whether ${p} exists`, testPath(p, f.shell).line)).join('\n'))[0] === true;
      f.packagesPresent = present;
    }),
  );
}
