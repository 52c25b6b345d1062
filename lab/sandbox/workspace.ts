// The sandbox's workspace: the DMS inventory, an OpenSSH client config and known_hosts for the Agent lab, a runs
// folder, and the VS Code user settings that point Backout at them (and at the kube lab's kubeconfig). Every file is
// regenerated at each start, because the labs get new ports and host keys each time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Layout } from './layout';

export const DMS_NAME = 'lab-dms';

export interface SandboxAgent {
  name: string;
  port: number;
  user: string;
  version: string;
}

export interface WorkspaceInput {
  agents: SandboxAgent[];
  /** The Agent lab's client key, authorized for every lab user. */
  clientKey: string;
  /** `[127.0.0.1]:port type key` lines of the lab's host keys. */
  knownHostsLines: string[];
  /** The repository's inventory schema, for completion and validation in the editor. */
  schema: string;
  kubeContext: string;
}

/** ssh_config quoting: a value with spaces must be in double quotes. */
function sshValue(v: string): string {
  return /\s/.test(v) ? `"${v}"` : v;
}

export function inventoryDocument(input: WorkspaceInput): Record<string, unknown> {
  return {
    $schema: pathToFileURL(input.schema).href,
    version: 1,
    systems: [
      {
        name: DMS_NAME,
        description: `Sandbox: ${input.agents.length} emulated DataMiner Agents (Agent lab on 127.0.0.1)`,
        // Not production, so a gate asks for a confirmation rather than the typed DMS name; flip it to try that.
        production: false,
        agents: input.agents.map((a) => ({ name: a.name, host: '127.0.0.1', port: a.port, user: a.user, auth: 'key', identityFile: input.clientKey })),
      },
    ],
  };
}

export function sshConfigText(input: WorkspaceInput, file: string, knownHosts: string): string {
  const lines = [
    '# Written by `npm run sandbox` for the Agent lab behind DMS "lab-dms"; rewritten at every start (ports change).',
    `# From a terminal: ssh -F ${sshValue(file)} ${input.agents[0]?.name ?? 'dma-01'}`,
    '',
  ];
  for (const a of input.agents) {
    lines.push(
      `Host ${a.name}`,
      '  HostName 127.0.0.1',
      `  Port ${a.port}`,
      `  User ${a.user}`,
      `  IdentityFile ${sshValue(input.clientKey)}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${sshValue(knownHosts)}`,
      '  StrictHostKeyChecking yes',
      '',
    );
  }
  return lines.join('\n');
}

function readme(input: WorkspaceInput, paths: Layout): string {
  const agents = input.agents.map((a) => `| ${a.name} | ${a.user}@127.0.0.1:${a.port} | ${a.version} |`).join('\n');
  return `# Backout sandbox

Started by \`npm run sandbox\`; everything here is rewritten at the next start.

- **DMS \`${DMS_NAME}\`** (\`.backout/inventory.json\`): emulated DataMiner Agents behind real OpenSSH servers, with
  the modules that need the downgrade's module swap.

  | Agent | SSH | DataMiner |
  |---|---|---|
${agents.replace(/^/gm, '  ')}

- **Kubernetes**: context \`${input.kubeContext}\` of \`${paths.kubeconfig}\`: a Kubernetes 1.20 control plane on
  127.0.0.1 with 3 nodes, Ondat 2.7.0 and sample workloads on Ondat volumes.
- **Runs**: \`runs/\` (journals, plans, step logs, reports).
- **SSH**: \`ssh/config\` and \`ssh/known_hosts\` (the lab's host keys).

Try: Backout view → Targets, or the command palette → *Backout: Dry Run…* / *Backout: Start Rollback…*.
`;
}

/** Writes the workspace files; returns the VS Code user settings that point Backout at them. */
export function writeWorkspace(paths: Layout, input: WorkspaceInput): Record<string, unknown> {
  for (const dir of [path.dirname(paths.inventory), path.dirname(paths.sshConfig), paths.runs]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(paths.inventory, JSON.stringify(inventoryDocument(input), null, 2) + '\n');
  fs.writeFileSync(paths.knownHosts, input.knownHostsLines.join('\n') + '\n', { mode: 0o600 });
  fs.writeFileSync(paths.sshConfig, sshConfigText(input, paths.sshConfig, paths.knownHosts), { mode: 0o600 });
  fs.writeFileSync(path.join(paths.workspace, 'SANDBOX.md'), readme(input, paths));
  return sandboxSettings(paths, input.clientKey);
}

/** Machine-scoped settings, so they go into the sandbox VS Code's user settings (never the user's own). */
export function sandboxSettings(paths: Layout, clientKey: string): Record<string, unknown> {
  return {
    'backout.kubeconfig': paths.kubeconfig,
    'backout.runsDirectory': paths.runs,
    'backout.ssh.configFile': paths.sshConfig,
    'backout.ssh.knownHostsFile': paths.knownHosts,
    'backout.ssh.identityFiles': [clientKey],
    'backout.inventoryFile': paths.userInventory,
  };
}
