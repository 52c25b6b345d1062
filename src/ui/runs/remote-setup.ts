// How this window reaches Agents and clusters: SSH setup from the machine-scoped settings (never from a workspace),
// passwords only from VS Code's SecretStorage or a prompt, Agent names resolved through the DMS inventory.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { expandHome } from '../../adapters/local/home-path';
import type { SshExecutorSetup } from '../../adapters/ssh/executor';
import type { Prompter } from '../../core/ports';
import type { InventoryService } from '../inventory/inventory-service';
import { SECTION } from '../settings';

function setting(name: string): string {
  return vscode.workspace.getConfiguration(SECTION).get<string>(name, '').trim();
}

/** The password store of the SSH adapter, on VS Code's SecretStorage (passwords never come from settings or files). */
export function secretStore(secrets: vscode.SecretStorage): { get(key: string): Promise<string | undefined> } {
  return { get: async (key) => (await secrets.get(key)) ?? undefined };
}

export interface SshSetupDeps {
  prompter: Prompter;
  secrets: vscode.SecretStorage;
  inventory: InventoryService;
  /** The adapter's inventory-to-endpoint mapping, available once dist/ssh.js is loaded. */
  agentEndpoint?: (typeof import('../../adapters/ssh/index'))['agentEndpoint'];
}

export function sshSetup(deps: SshSetupDeps): SshExecutorSetup {
  const configFile = setting('ssh.configFile');
  const sshConfig = { homeDir: os.homedir(), ...(configFile ? { configFile: expandHome(configFile) } : {}) };
  const knownHosts = setting('ssh.knownHostsFile');
  const identityFiles = vscode.workspace.getConfiguration(SECTION).get<string[]>('ssh.identityFiles', []).map((f) => expandHome(f));
  return {
    prompter: deps.prompter,
    sshConfig,
    userKnownHostsFiles: [path.join(os.homedir(), '.ssh', 'known_hosts')],
    backoutKnownHostsFile: knownHosts ? expandHome(knownHosts) : path.join(os.homedir(), '.backout', 'known_hosts'),
    ...(identityFiles.length > 0 ? { identityFiles } : {}),
    secrets: secretStore(deps.secrets),
    // An Agent named in a plan is looked up in the inventory first (unique names only), then in the SSH config.
    resolveFirst: (host) => {
      if (!deps.agentEndpoint) return undefined;
      const matches = deps.inventory.load().systems.flatMap((dms) => dms.agents.filter((a) => a.name === host).map((agent) => ({ dms, agent })));
      if (matches.length !== 1) return undefined;
      const [{ dms, agent }] = matches as [{ dms: (typeof matches)[number]['dms']; agent: (typeof matches)[number]['agent'] }];
      return deps.agentEndpoint(dms, agent, sshConfig);
    },
  };
}
