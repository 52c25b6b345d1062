// The DMS inventory file format (.backout/inventory.json in a workspace, ~/.backout/inventory.json for the user).
// Its JSON schema is schemas/inventory.schema.json; the format is described in inventory-format.md next to this file.

export type AgentAuth = 'auto' | 'agent' | 'key' | 'password';
export type AgentShell = 'detect' | 'cmd' | 'powershell';

export interface InventoryAgent {
  /** Unique within the DMS; how Backout names the Agent in plans, logs and errors. */
  name: string;
  /** Address of the Agent; or `sshAlias` instead. */
  host?: string;
  /** A Host alias from the user's SSH config (HostName, User, Port, IdentityFile, ProxyJump come from there). */
  sshAlias?: string;
  port?: number;
  /** Windows account Backout logs in as. Required with `host`; optional with `sshAlias`. */
  user?: string;
  auth?: AgentAuth;
  /** Key file for `auth: "key"`. */
  identityFile?: string;
  /** OpenSSH DefaultShell on the Agent; `detect` asks the Agent once. */
  shell?: AgentShell;
  /** The Agent's VM in the hypervisor, for the snapshot route. */
  vmId?: string;
}

export interface InventoryHypervisor {
  kind: 'vsphere' | 'hyper-v' | 'proxmox' | 'other';
  /** vCenter / Hyper-V host / Proxmox address, shown to the user. */
  address: string;
}

export interface InventoryDatabaseVm {
  name: string;
  vmId?: string;
  host?: string;
}

export interface InventoryDms {
  name: string;
  description?: string;
  /** Production systems need the DMS name typed before destructive steps. */
  production: boolean;
  hypervisor?: InventoryHypervisor;
  databaseVm?: InventoryDatabaseVm;
  agents: InventoryAgent[];
}

export interface InventoryFile {
  $schema?: string;
  version: 1;
  systems: InventoryDms[];
}

/** A DMS as loaded: where it came from. */
export interface LoadedDms extends InventoryDms {
  source: { file: string; scope: 'workspace' | 'user' };
}
