// Read-only facts for every Agent of a DMS in the inventory (the Targets view's, through the one Agent reader in
// src/core/dataminer/agent-facts.ts), with bounded concurrency; one unreachable Agent does not stop the others.
import { DEFAULT_AGENT_PATHS } from '../../core/dataminer/windows-commands';
import type { FactOptions, NamedAgentFacts } from '../ssh/agent-facts';
import { gatherAgentFacts } from '../ssh/agent-facts';
import type { SshPool } from '../ssh/pool';
import type { SshConfigOptions } from '../ssh/ssh-config';
import { agentEndpoint } from './inventory-endpoint';
import type { InventoryDms } from './inventory-types';

export interface InventoryDmsFacts {
  dms: string;
  agents: Array<{ name: string } & NamedAgentFacts>;
  /** True when every Agent answered and all run the same DataMiner build (a DMS must). */
  consistent: boolean;
}

export async function gatherDmsFacts(pool: SshPool, dms: InventoryDms, options: FactOptions & { sshConfig?: SshConfigOptions; concurrency?: number } = {}): Promise<InventoryDmsFacts> {
  const results: Array<{ name: string } & NamedAgentFacts> = new Array(dms.agents.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < dms.agents.length) {
      const i = next++;
      const agent = dms.agents[i];
      if (agent === undefined) continue;
      try {
        const endpoint = agentEndpoint(dms, agent, options.sshConfig ?? {});
        const shell = agent.shell === 'cmd' || agent.shell === 'powershell' ? agent.shell : undefined;
        results[i] = { name: agent.name, ...(await gatherAgentFacts(pool, endpoint, { ...options, ...(shell === undefined ? {} : { shell }) })) };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        results[i] = { name: agent.name, agent: `${dms.name}/${agent.name}`, reachable: false, error: reason, failures: [{ what: 'its SSH endpoint', reason, reached: false }], paths: DEFAULT_AGENT_PATHS };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, dms.agents.length)) }, worker));
  const builds = new Set(results.map((r) => r.version?.build));
  return { dms: dms.name, agents: results, consistent: results.every((r) => r.reachable && r.version !== undefined) && builds.size === 1 };
}
