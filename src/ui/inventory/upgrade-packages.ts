// Upgrade packages present on the Agents of a DMS, for Start Rollback to offer instead of a typed path. The Agents are
// read by the SSH adapter's lister (listAgentPackages, src/adapters/ssh/agent-packages.ts); this merges what each
// Agent has into one offer: every package path with the Agents that have it.
import type { VersionHistoryEntry } from '../../core/dataminer/agent-output';
import { DEFAULT_AGENT_PATHS, upgradesDir } from '../../core/dataminer/windows-commands';
import type { AgentPackage } from '../../adapters/ssh/agent-packages';

/** Where packages are uploaded on an Agent (Upgrades folder of the DataMiner install; domain.md). */
export const UPGRADES_FOLDER = upgradesDir(DEFAULT_AGENT_PATHS);

export interface DmsUpgradeChoices {
  history: VersionHistoryEntry[];
  current?: string;
  /** Packages as agent paths, with the Agents that have them. */
  packages: Array<{ path: string; agents: string[] }>;
  agents: string[];
}

/** Each package path found, with the Agents it was found on, in the order first seen. */
export function packagesOnAgents(listings: ReadonlyArray<{ agent: string; packages: readonly AgentPackage[] }>): DmsUpgradeChoices['packages'] {
  const found = new Map<string, string[]>();
  for (const { agent, packages } of listings) {
    for (const p of packages) found.set(p.path, [...(found.get(p.path) ?? []), agent]);
  }
  return [...found].map(([path, agents]) => ({ path, agents }));
}
