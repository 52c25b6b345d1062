// Read-only facts of a DMS's Agents for the Targets view (reachability, DataMiner version), gathered over SSH on a
// pool of its own with the same host-key checks and credentials as runs. ssh2 is loaded on first use.
import type { SshPool } from '../../adapters/ssh/pool';
import type { LoadedDms } from '../../adapters/store/inventory-types';
import { loadSsh, type SshAdapter } from '../../adapters/lazy';
import type { SshExecutorSetup } from '../../adapters/ssh/executor';
import type { AgentStatus } from '../tree/nodes';
import type { AgentPackage } from '../../adapters/ssh/agent-packages';
import { packagesOnAgents, type DmsUpgradeChoices } from './upgrade-packages';

export class AgentFactsService {
  private pool: Promise<{ ssh: SshAdapter; pool: SshPool; setup: SshExecutorSetup }> | undefined;

  constructor(private readonly setup: (ssh: SshAdapter) => SshExecutorSetup) {}

  private open(): Promise<{ ssh: SshAdapter; pool: SshPool; setup: SshExecutorSetup }> {
    this.pool ??= loadSsh().then((ssh) => {
      const setup = this.setup(ssh);
      const hostKeys = new ssh.HostKeyVerifier({
        prompter: setup.prompter,
        ...(setup.userKnownHostsFiles ? { userKnownHostsFiles: setup.userKnownHostsFiles } : {}),
        ...(setup.backoutKnownHostsFile ? { backoutKnownHostsFile: setup.backoutKnownHostsFile } : {}),
      });
      const pool = new ssh.SshPool({
        hostKeys,
        prompter: setup.prompter,
        ...(setup.secrets ? { secrets: setup.secrets } : {}),
        ...(setup.identityFiles ? { defaultIdentityFiles: setup.identityFiles } : {}),
      });
      return { ssh, pool, setup };
    });
    return this.pool;
  }

  /** Each Agent's status; an unreachable Agent does not hide the others. */
  async gather(dms: LoadedDms, signal?: AbortSignal): Promise<Map<string, AgentStatus>> {
    const { ssh, pool, setup } = await this.open();
    const facts = await ssh.gatherDmsFacts(pool, dms, { ...(setup.sshConfig ? { sshConfig: setup.sshConfig } : {}), timeoutMs: 20_000, ...(signal ? { signal } : {}) });
    const out = new Map<string, AgentStatus>();
    for (const a of facts.agents) {
      out.set(
        a.name,
        a.reachable
          ? { state: 'reachable', ...(a.version ? { version: a.version.version } : {}), ...(a.shell ? { shell: a.shell } : {}) }
          : { state: 'unreachable', error: a.error ?? 'not reachable' },
      );
    }
    return out;
  }

  /**
   * What Start Rollback can offer for a DMS: the version history of its Agents and the upgrade packages found in their
   * Upgrades folder (read-only: a VersionHistory.txt read and one folder listing per reachable Agent).
   */
  async upgradeChoices(dms: LoadedDms, signal?: AbortSignal): Promise<DmsUpgradeChoices> {
    const { ssh, pool, setup } = await this.open();
    const sshConfig = setup.sshConfig ? { sshConfig: setup.sshConfig } : {};
    const facts = await ssh.gatherDmsFacts(pool, dms, { ...sshConfig, timeoutMs: 20_000, ...(signal ? { signal } : {}) });
    const history = facts.agents.find((a) => a.history && a.history.length > 0)?.history ?? [];
    const listings: Array<{ agent: string; packages: AgentPackage[] }> = [];
    for (const a of facts.agents) {
      const agent = dms.agents.find((x) => x.name === a.name);
      if (!a.reachable || !a.shell || !agent) continue;
      try {
        listings.push({ agent: a.name, packages: await ssh.listAgentPackages(pool, ssh.agentEndpoint(dms, agent, setup.sshConfig ?? {}), { shell: a.shell, timeoutMs: 20_000, ...(signal ? { signal } : {}) }) });
      } catch (err) {
        // An Agent whose Upgrades folder cannot be listed offers no packages; the others still do.
        if (!(err instanceof ssh.AgentPackagesError)) throw err;
      }
    }
    return {
      history,
      current: facts.agents.find((a) => a.version)?.version?.version,
      packages: packagesOnAgents(listings),
      agents: dms.agents.map((a) => a.name),
    };
  }

  async dispose(): Promise<void> {
    const p = await this.pool?.catch(() => undefined);
    this.pool = undefined;
    await p?.pool.close();
  }
}
