// Validates an inventory document: the same rules as schemas/inventory.schema.json, plus what a schema cannot say
// (unique names, host xor sshAlias), each problem with the file, the entry and the fix.
import type { InventoryProblem } from './errors';
import type { InventoryFile } from './inventory-types';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export const FILE_KEYS = ['$schema', 'version', 'systems'] as const;
export const DMS_KEYS = ['name', 'description', 'production', 'hypervisor', 'databaseVm', 'agents'] as const;
export const AGENT_KEYS = ['name', 'host', 'sshAlias', 'port', 'user', 'auth', 'identityFile', 'shell', 'vmId'] as const;
export const HYPERVISOR_KEYS = ['kind', 'address'] as const;
export const DATABASE_VM_KEYS = ['name', 'vmId', 'host'] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+|[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?)$/;

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

function suggestion(key: string, allowed: readonly string[]): string {
  const best = [...allowed].sort((x, y) => distance(key, x) - distance(key, y))[0];
  return best !== undefined && distance(key, best) <= 3 ? `rename it to "${best}"` : `remove it (allowed: ${allowed.join(', ')})`;
}

export function validateInventory(doc: unknown, file: string): { inventory?: InventoryFile; problems: InventoryProblem[] } {
  const problems: InventoryProblem[] = [];
  const add = (pointer: string, entry: string, message: string, fix: string): void => {
    problems.push({ file, pointer, entry, message, fix });
  };
  const unknownKeys = (o: Obj, allowed: readonly string[], pointer: string, entry: string): void => {
    // Secrets get their own message below.
    for (const k of Object.keys(o)) if (!allowed.includes(k) && k !== 'password' && k !== 'passphrase') add(`${pointer}/${k}`, entry, `unknown property "${k}"`, suggestion(k, allowed));
  };
  const str = (o: Obj, key: string, pointer: string, entry: string, required: boolean, fix: string, pattern?: RegExp): string | undefined => {
    const v = o[key];
    if (v === undefined) {
      if (required) add(pointer, entry, `"${key}" is missing`, fix);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      add(`${pointer}/${key}`, entry, `"${key}" must be a non-empty string`, fix);
      return undefined;
    }
    if (pattern !== undefined && !pattern.test(v)) {
      add(`${pointer}/${key}`, entry, `"${key}" ${JSON.stringify(v)} is not valid`, fix);
      return undefined;
    }
    return v;
  };
  const oneOf = (o: Obj, key: string, values: readonly string[], pointer: string, entry: string): void => {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'string' || !values.includes(v))) add(`${pointer}/${key}`, entry, `"${key}" is ${JSON.stringify(v)}`, `use one of ${values.map((x) => `"${x}"`).join(', ')}`);
  };

  const root = doc as Json;
  if (!isObj(root)) {
    add('', 'the file', 'the document is not a JSON object', 'start from {"version": 1, "systems": []}');
    return { problems };
  }
  unknownKeys(root, FILE_KEYS, '', 'the file');
  if (root['version'] !== 1) add('/version', 'the file', `"version" is ${JSON.stringify(root['version'] ?? null)}`, 'set "version": 1');
  const systems = root['systems'];
  if (!Array.isArray(systems)) {
    add('/systems', 'the file', '"systems" must be a list of DMSs', 'add "systems": [ { "name": ..., "agents": [...] } ]');
    return { problems };
  }
  const dmsNames = new Set<string>();
  systems.forEach((dms, i) => {
    const p = `/systems/${i}`;
    if (!isObj(dms)) {
      add(p, `DMS #${i + 1}`, 'the entry is not an object', 'write it as { "name": ..., "production": ..., "agents": [...] }');
      return;
    }
    const name = str(dms, 'name', p, `DMS #${i + 1}`, true, 'give the DMS a name of letters, digits, ".", "_" or "-" (max 63)', NAME);
    const entry = `DMS "${name ?? `#${i + 1}`}"`;
    if (name !== undefined) {
      if (dmsNames.has(name)) add(`${p}/name`, entry, 'the name is used by another DMS in this file', 'give each DMS a unique name');
      dmsNames.add(name);
    }
    unknownKeys(dms, DMS_KEYS, p, entry);
    if (dms['description'] !== undefined) str(dms, 'description', p, entry, false, 'use a string');
    if (typeof dms['production'] !== 'boolean') {
      add(`${p}/production`, entry, dms['production'] === undefined ? '"production" is missing' : '"production" must be true or false', 'set "production": true for production systems (destructive steps then need the DMS name typed), else false');
    }
    const hv = dms['hypervisor'];
    if (hv !== undefined) {
      if (!isObj(hv)) add(`${p}/hypervisor`, entry, '"hypervisor" must be an object', 'write { "kind": "vsphere", "address": "vcenter.example.com" }');
      else {
        unknownKeys(hv, HYPERVISOR_KEYS, `${p}/hypervisor`, entry);
        oneOf(hv, 'kind', ['vsphere', 'hyper-v', 'proxmox', 'other'], `${p}/hypervisor`, entry);
        if (hv['kind'] === undefined) add(`${p}/hypervisor`, entry, '"hypervisor.kind" is missing', 'set "kind" to "vsphere", "hyper-v", "proxmox" or "other"');
        str(hv, 'address', `${p}/hypervisor`, entry, true, 'set "address" to the vCenter / Hyper-V host / Proxmox address');
      }
    }
    const db = dms['databaseVm'];
    if (db !== undefined) {
      if (!isObj(db)) add(`${p}/databaseVm`, entry, '"databaseVm" must be an object', 'write { "name": "cassandra-01", "vmId": "vm-1234" }');
      else {
        unknownKeys(db, DATABASE_VM_KEYS, `${p}/databaseVm`, entry);
        str(db, 'name', `${p}/databaseVm`, entry, true, 'name the database VM');
        if (db['vmId'] !== undefined) str(db, 'vmId', `${p}/databaseVm`, entry, false, 'use the VM id as the hypervisor shows it');
        if (db['host'] !== undefined) str(db, 'host', `${p}/databaseVm`, entry, false, 'use an IP address or DNS name', HOST);
      }
    }
    const agents = dms['agents'];
    if (!Array.isArray(agents) || agents.length === 0) {
      add(`${p}/agents`, entry, '"agents" must list at least one Agent', 'add "agents": [ { "name": "dma-01", "host": "10.0.0.11", "user": "Administrator" } ] or import them from your SSH config');
      return;
    }
    const agentNames = new Set<string>();
    agents.forEach((a, j) => {
      const ap = `${p}/agents/${j}`;
      if (!isObj(a)) {
        add(ap, `${entry} / Agent #${j + 1}`, 'the entry is not an object', 'write it as { "name": ..., "host": ..., "user": ... }');
        return;
      }
      const aname = str(a, 'name', ap, `${entry} / Agent #${j + 1}`, true, 'give the Agent a name of letters, digits, ".", "_" or "-" (max 63)', NAME);
      const aentry = `${entry} / Agent "${aname ?? `#${j + 1}`}"`;
      if (aname !== undefined) {
        if (agentNames.has(aname)) add(`${ap}/name`, aentry, 'the name is used by another Agent of this DMS', 'give each Agent of a DMS a unique name');
        agentNames.add(aname);
      }
      unknownKeys(a, AGENT_KEYS, ap, aentry);
      const host = a['host'] === undefined ? undefined : str(a, 'host', ap, aentry, false, 'use an IP address or DNS name', HOST);
      if (a['sshAlias'] !== undefined) str(a, 'sshAlias', ap, aentry, false, 'use a Host alias from your SSH config', /^[^\s*?!]+$/);
      if (a['host'] !== undefined && a['sshAlias'] !== undefined) add(ap, aentry, 'both "host" and "sshAlias" are set', 'keep one: "sshAlias" to take HostName/User/Port/ProxyJump from your SSH config, or "host" with "user"');
      if (a['host'] === undefined && a['sshAlias'] === undefined) add(ap, aentry, 'neither "host" nor "sshAlias" is set', 'add "host": "<address>" (with "user") or "sshAlias": "<Host alias in ~/.ssh/config>"');
      if (host !== undefined && a['user'] === undefined) add(ap, aentry, '"user" is missing', 'add "user": the Windows account Backout logs in as (e.g. "Administrator" or "DOMAIN\\\\svc-backout")');
      if (a['user'] !== undefined) str(a, 'user', ap, aentry, false, 'use the Windows account name');
      const port = a['port'];
      if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) add(`${ap}/port`, aentry, `"port" is ${JSON.stringify(port)}`, 'use a whole number from 1 to 65535 (OpenSSH listens on 22 by default)');
      oneOf(a, 'auth', ['auto', 'agent', 'key', 'password'], ap, aentry);
      oneOf(a, 'shell', ['detect', 'cmd', 'powershell'], ap, aentry);
      if (a['identityFile'] !== undefined) str(a, 'identityFile', ap, aentry, false, 'give the path of a private key file');
      if (a['auth'] === 'key' && a['identityFile'] === undefined && a['sshAlias'] === undefined) add(ap, aentry, '"auth" is "key" but no "identityFile" is given', 'add "identityFile": "~/.ssh/id_ed25519" (or use an sshAlias whose IdentityFile is set)');
      if (a['identityFile'] !== undefined && a['auth'] !== undefined && a['auth'] !== 'key' && a['auth'] !== 'auto') add(`${ap}/identityFile`, aentry, `"identityFile" is set but "auth" is "${String(a['auth'])}"`, 'set "auth": "key", or remove "identityFile"');
      if (a['vmId'] !== undefined) str(a, 'vmId', ap, aentry, false, 'use the VM id as the hypervisor shows it');
      if ('password' in a || 'passphrase' in a) add(ap, aentry, 'a password is written in the inventory', 'remove it: Backout asks for passwords and keeps them in VS Code SecretStorage only');
    });
  });
  return problems.length === 0 ? { inventory: root as unknown as InventoryFile, problems } : { problems };
}
