// "Import Agents from SSH config": concrete Host aliases of the user's SSH config become Agents of a DMS
// (`sshAlias`), so HostName, User, Port, IdentityFile and ProxyJump stay where the user maintains them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listHostAliases, SshConfigOptions } from '../ssh/ssh-config';
import { InventoryInvalidError } from './errors';
import type { InventoryAgent, InventoryFile } from './inventory-types';
import { readInventoryFile } from './inventory-load';

/** Aliases offered for import, optionally filtered by a pattern with * and ? (e.g. `prod-dma-*`). */
export function importableAliases(options: SshConfigOptions = {}, pattern?: string): string[] {
  const aliases = listHostAliases(options);
  if (pattern === undefined || pattern === '') return aliases;
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return aliases.filter((a) => re.test(a));
}

/** An Agent name from an alias: the alias itself when it is a valid name, else a sanitised form. */
export function agentNameFor(alias: string): string {
  const cleaned = alias.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return cleaned === '' ? 'agent' : cleaned;
}

export interface ImportResult {
  file: string;
  added: string[];
  /** Aliases already present in that DMS. */
  skipped: string[];
}

/**
 * Adds the aliases as Agents of DMS `dmsName` in `file` (created if missing; the DMS too, with `production` as given).
 * Existing entries are kept; the file is validated before and after.
 */
export function importAgents(file: string, dmsName: string, aliases: readonly string[], production: boolean): ImportResult {
  const current = readInventoryFile(file);
  if (current.problems.length > 0) throw new InventoryInvalidError(current.problems);
  const inventory: InventoryFile = current.inventory ?? { version: 1, systems: [] };
  let dms = inventory.systems.find((s) => s.name === dmsName);
  if (dms === undefined) {
    dms = { name: dmsName, production, agents: [] };
    inventory.systems.push(dms);
  }
  const result: ImportResult = { file, added: [], skipped: [] };
  for (const alias of aliases) {
    if (dms.agents.some((a) => a.sshAlias === alias)) {
      result.skipped.push(alias);
      continue;
    }
    let name = agentNameFor(alias);
    for (let i = 2; dms.agents.some((a) => a.name === name) && i < 1000; i++) name = `${agentNameFor(alias).slice(0, 58)}-${i}`;
    const agent: InventoryAgent = { name, sshAlias: alias };
    dms.agents.push(agent);
    result.added.push(alias);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(inventory, null, 2) + '\n');
  const check = readInventoryFile(tmp);
  if (check.problems.length > 0) {
    fs.rmSync(tmp, { force: true });
    throw new InventoryInvalidError(check.problems.map((p) => ({ ...p, file })));
  }
  fs.renameSync(tmp, file);
  return result;
}
