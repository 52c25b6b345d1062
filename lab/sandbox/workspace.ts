// The sandbox's workspace: the DMS inventory, an OpenSSH client config and known_hosts for the Agent lab, a runs
// folder, and the VS Code user settings that point Backout at them (and at the kube lab's kubeconfig). Every file is
// regenerated at each start, because the labs get new ports and host keys each time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SANDBOX_DMSS } from './dms';
import { ondatManifestsFile } from '../kube/fixtures/manifests';
import type { Layout } from './layout';

const ONDAT_MANIFESTS = ondatManifestsFile();

export const DMS_NAME = 'lab-dms';

export interface SandboxAgent {
  name: string;
  port: number;
  user: string;
  version: string;
  /** The DMS it belongs to (default: the first, lab-dms). */
  dms?: string;
  /** The address its DMS knows it by (UpgradeInfo.xml): a loopback address of its own, where its sshd listens too. */
  address?: string;
}

/** Per DMS: the packages on its Agents and the same packages as local files. */
export interface SandboxPackages {
  dms: string;
  onAgents: string[];
  localFiles: string[];
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
  packages?: SandboxPackages[];
}

const dmsOf = (a: SandboxAgent): string => a.dms ?? DMS_NAME;
const hostOf = (a: SandboxAgent): string => a.address ?? '127.0.0.1';

/** The sandbox's DMSs in the order dms.ts lists them, each with its Agents. */
function systems(input: WorkspaceInput): Array<{ name: string; description: string; agents: SandboxAgent[] }> {
  const names = [...new Set([...SANDBOX_DMSS.map((d) => d.name), ...input.agents.map(dmsOf)])];
  return names
    .map((name) => ({ name, description: SANDBOX_DMSS.find((d) => d.name === name)?.description ?? '', agents: input.agents.filter((a) => dmsOf(a) === name) }))
    .filter((d) => d.agents.length > 0);
}

/** ssh_config quoting: a value with spaces must be in double quotes. */
function sshValue(v: string): string {
  return /\s/.test(v) ? `"${v}"` : v;
}

export function inventoryDocument(input: WorkspaceInput): Record<string, unknown> {
  return {
    $schema: pathToFileURL(input.schema).href,
    version: 1,
    systems: systems(input).map((d) => ({
      name: d.name,
      description: `Sandbox: ${d.agents.length} emulated DataMiner Agents (Agent lab on loopback)${d.description ? `; ${d.description}` : ''}`,
      // Not production, so a gate asks for a confirmation rather than the typed DMS name; flip it to try that.
      production: false,
      // host: the Agent's own loopback address, which is also what UpgradeInfo.xml names it by (a cluster upgrade reaches it).
      agents: d.agents.map((a) => ({ name: a.name, host: hostOf(a), port: a.port, user: a.user, auth: 'key', identityFile: input.clientKey })),
    })),
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
      `  HostName ${hostOf(a)}`,
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
  const dmsSections = systems(input)
    .map((d) => {
      const rows = d.agents.map((a) => `| ${a.name} | ${a.user}@${hostOf(a)}:${a.port} | ${a.version} |`).join('\n');
      const pk = input.packages?.find((p) => p.dms === d.name);
      const what = TRY[d.name] ?? '';
      return [
        `- **DMS \`${d.name}\`**${d.description ? ` (${d.description})` : ''}: emulated DataMiner Agents behind real OpenSSH servers.`,
        '',
        '  | Agent | SSH | DataMiner |',
        '  |---|---|---|',
        rows.replace(/^/gm, '  '),
        '',
        ...(pk === undefined ? [] : [`  Packages on every Agent (C:\\Skyline DataMiner\\Upgrades): ${pk.onAgents.map((p) => `\`${p}\``).join(', ')}.`, `  The same as local files: ${pk.localFiles.map((p) => `\`${p}\``).join(', ')}.`, '']),
        ...(what ? [`  ${what}`, ''] : []),
      ].join('\n');
    })
    .join('\n');
  return `# Backout sandbox

Started by \`npm run sandbox\`; everything here is rewritten at the next start. The DMSs are in \`.backout/inventory.json\`.

${dmsSections}
- **Kubernetes**: context \`${input.kubeContext}\` of \`${paths.kubeconfig}\`: a Kubernetes 1.20 control plane on
  127.0.0.1 with 3 nodes, Ondat 2.7.0 and sample workloads on Ondat volumes. VS Code's PATH here has a
  \`kubectl-storageos\` stand-in that installs through the API as the plugin documents it (the lab has no container
  runtime, so the real plugin's images could not run).

  Try: Start Rollback on \`${input.kubeContext}\` in Targets and take every default (install method kubectl-storageos).
  Expect: a gate naming the workloads scaled to zero (their replica counts are recorded in the plan), a gate for the
  backup, the 2.7.0 StorageOSCluster and operator removed with etcd left alone, the downgrade DaemonSet on every node,
  Ondat 2.6.0 installed from the saved StorageOSCluster with only the node image changed, the workloads scaled back.
  Or choose install method \`manifests\` with the manifests file \`${ONDAT_MANIFESTS}\`. *Dry Run on This Target*
  shows every command, manifest and file first.
- **Runs**: \`runs/\` (journals, plans, step logs, reports).
- **SSH**: \`ssh/config\` and \`ssh/known_hosts\` (the lab's host keys).

Try: Backout view → Targets, or the command palette → *Backout: Dry Run…* / *Backout: Start Rollback…*.
`;
}

/** What to try on each DMS and what to expect (docs/dataminer.md has the rules and their sources). */
const TRY: Readonly<Record<string, string>> = {
  'lab-dms':
    'Try: Start Rollback on it, route package, target 10.3.5, the 10.3.5 package it offers, the other answers as they come. ' +
    'Expect: a backup on every Agent, the upgrade run once from dma-01 for the whole cluster, "completed" while the Agents stay ' +
    '"Starting up", the module swap on each Agent, DataMiner started, and every Agent verified at 10.3.5.',
  'lab-dms-nats':
    'Try: Start Rollback, route package, target 10.3.9. With the two packages on the Agents the plan warns that the 10.3.9 package ' +
    'will fail VerifyNatsIsRunning (it is installed while the DMS runs 10.4.0), and the run stops there with the DMS on 10.4.0, as ' +
    'the known issue says. Choose the two local files instead: the plan makes a copy of the 10.3.9 package without ' +
    'VerifyNatsIsRunning.dll (natsFix: 10.3.9), uploads both, and the DMS reaches 10.3.9.',
};

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
