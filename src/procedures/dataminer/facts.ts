// Facts first: what the planner needs to know about a DMS, read from every Agent without changing anything by the one
// Agent reader (src/core/dataminer/agent-facts.ts) through the run's fact reader — which shell answers, where the
// Taskbar Utility is, the DataMiner version (VersionHistory.txt), and, when the module swap applies, the installed
// modules and the ModuleInstallers folder. Here they are checked: planning needs every Agent reached and read.
import type { FactsContext } from '../../core/procedure';
import type { SshAction } from '../../core/plan';
import { AGENT_READS, readAgentFacts, readModuleFacts, readPathPresence, type AgentFacts, type AgentRead } from '../../core/dataminer/agent-facts';
import type { VersionHistoryEntry } from '../../core/dataminer/agent-output';
import { TASKBAR_UTILITY_CANDIDATES, type AgentPaths, type DefaultShell } from '../../core/dataminer/windows-commands';
import type { AgentRef } from './agents';
import { AgentFactError, AgentsDisagreeError, agentLabel } from './errors';
import { compareVersions, formatVersion, parseVersion, type DmVersion } from './version';

/** One Agent's facts as planning needs them: reached, with its Taskbar Utility and version. */
export interface PlannedAgentFacts extends AgentFacts {
  agent: AgentRef;
  shell: DefaultShell;
  paths: AgentPaths;
  history: VersionHistoryEntry[];
  version: VersionHistoryEntry;
  /** The version the Agent runs (its VersionHistory.txt build string, read). */
  running: DmVersion;
}

export interface DmsFacts {
  agents: PlannedAgentFacts[];
  /** The one version every Agent runs. */
  version: DmVersion;
}

/** The run's fact reader as the Agent reader's port: an SSH check on the Agent, its failure with the output's tail. */
function readerFor(ctx: FactsContext, agent: AgentRef): AgentRead {
  return async (command) => {
    const action: SshAction = { kind: 'ssh', host: agent.name, command };
    const result = await ctx.read(action);
    const tail = result.output.slice(-3).join(' | ');
    return { exitCode: result.exitCode, stdout: result.output.join('\n'), failure: `exit code ${result.exitCode}${tail ? ` (${tail})` : ''}` };
  };
}

/** Refuses, naming the Agent and what could not be read, when a read failed. */
function refuseFailures(agent: AgentRef, facts: AgentFacts): void {
  const failure = facts.failures[0];
  if (failure === undefined) return;
  const next = failure.reached
    ? 'Check the account has administrator rights on the Agent, then plan again.'
    : 'Check that the Agent is reachable over SSH (backout.ssh settings, known_hosts), then plan again.';
  throw new AgentFactError(agentLabel(agent), failure.what, failure.reason, next);
}

/** Refuses in the order the Agent is read: its shell and Taskbar Utility first, then its version history. */
function checked(agent: AgentRef, facts: AgentFacts): PlannedAgentFacts {
  if (facts.failures[0]?.what !== AGENT_READS.history) refuseFailures(agent, facts);
  if (facts.taskbarUtility === undefined) {
    throw new AgentFactError(agentLabel(agent), 'the Taskbar Utility', `SLTaskbarUtility.exe is in none of ${TASKBAR_UTILITY_CANDIDATES.join(', ')}`, 'Install the DataMiner Taskbar Utility on the Agent, then plan again.');
  }
  refuseFailures(agent, facts);
  const { shell, history, version } = facts;
  // Every read answered, so the reader filled both in; the check only narrows the types.
  if (shell === undefined || history === undefined) throw new AgentFactError(agentLabel(agent), 'its DataMiner version', 'the Agent answered without a shell or version history', 'Plan again.');
  if (version === undefined) {
    throw new AgentFactError(agentLabel(agent), 'its DataMiner version', 'C:\\Skyline DataMiner\\Upgrades\\VersionHistory.txt has no version line', 'Check that DataMiner is installed on this Agent.');
  }
  let running: DmVersion;
  try {
    running = parseVersion(version.build);
  } catch (err) {
    throw new AgentFactError(agentLabel(agent), 'its DataMiner version', (err as Error).message, 'Check VersionHistory.txt on the Agent.');
  }
  return { ...facts, agent, shell, history, version, running };
}

/** Reads every Agent's basics and refuses when they disagree on the version. */
export async function gatherDmsFacts(ctx: FactsContext, dms: string, agents: readonly AgentRef[]): Promise<DmsFacts> {
  const facts = await Promise.all(agents.map(async (a) => checked(a, await readAgentFacts(readerFor(ctx, a)))));
  const first = facts[0];
  if (first === undefined) throw new AgentFactError(dms, 'its Agents', 'the agents parameter lists none', 'Give the Agents as --param agents=dma-01=10.0.0.11,dma-02=10.0.0.12.');
  if (facts.some((f) => compareVersions(f.running, first.running) !== 0)) {
    throw new AgentsDisagreeError(dms, facts.map((f) => ({ agent: agentLabel(f.agent), version: `${formatVersion(f.running)} (${f.running.raw})` })));
  }
  return { agents: facts, version: first.running };
}

/** Installed modules and the ModuleInstallers folder of every Agent (for the module swap). */
export async function gatherModuleFacts(ctx: FactsContext, facts: DmsFacts): Promise<void> {
  await Promise.all(facts.agents.map(async (f) => refuseFailures(f.agent, await readModuleFacts(readerFor(ctx, f.agent), f))));
}

/** Whether each package path already on the Agents exists there. */
export async function gatherPackagePresence(ctx: FactsContext, facts: DmsFacts, paths: readonly string[]): Promise<void> {
  await Promise.all(facts.agents.map(async (f) => refuseFailures(f.agent, await readPathPresence(readerFor(ctx, f.agent), f, paths))));
}
