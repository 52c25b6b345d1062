// Loads the inventory: the user's ~/.backout/inventory.json and each workspace folder's .backout/inventory.json.
// A workspace cannot replace a DMS of the user file: a DMS of the same name in a workspace is ignored and reported
// (a cloned repository's .backout/inventory.json must not turn the user's production DMS into a non-production one).
// JSON syntax errors and schema problems come back with the file, the entry and the fix; a missing file is empty.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { InventoryInvalidError, InventoryProblem, UnknownDmsError } from './errors';
import type { InventoryFile, LoadedDms } from './inventory-types';
import { validateInventory } from './inventory-validate';

export const INVENTORY_FILE = 'inventory.json';

export function userInventoryPath(homeDir = os.homedir()): string {
  return path.join(homeDir, '.backout', INVENTORY_FILE);
}

export function workspaceInventoryPath(folder: string): string {
  return path.join(folder, '.backout', INVENTORY_FILE);
}

/** Where a JSON syntax error is. JSON.parse does not always say; the YAML parser (JSON is YAML) reports a position. */
function errorPosition(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (m?.[1] !== undefined) {
    const before = text.slice(0, Number(m[1]));
    return ` at line ${before.split('\n').length}, column ${Number(m[1]) - before.lastIndexOf('\n')}`;
  }
  const pos = parseDocument(text).errors[0]?.linePos?.[0];
  return pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`;
}

/** Reads and validates one file. Missing file: undefined. */
export function readInventoryFile(file: string): { inventory?: InventoryFile; problems: InventoryProblem[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { problems: [] };
    return { problems: [{ file, pointer: '', entry: 'the file', message: `cannot be read (${(err as Error).message})`, fix: 'check its permissions' }] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const where = errorPosition(text, (err as Error).message);
    return { problems: [{ file, pointer: '', entry: 'the file', message: `is not valid JSON${where} (${(err as Error).message})`, fix: 'correct the JSON syntax (no comments or trailing commas)' }] };
  }
  return validateInventory(doc, file);
}

export interface LoadedInventory {
  systems: LoadedDms[];
  problems: InventoryProblem[];
  /** Workspace DMSs ignored because the user file defines a DMS of the same name (the user's entry is used). */
  shadowed: Array<{ name: string; userFile: string; workspaceFile: string }>;
}

export interface LoadOptions {
  homeDir?: string;
  /** The user-level inventory file when not the default ~/.backout/inventory.json (the backout.inventoryFile setting). */
  userFile?: string;
  workspaceFolders?: readonly string[];
}

export function loadInventory(options: LoadOptions = {}): LoadedInventory {
  const result: LoadedInventory = { systems: [], problems: [], shadowed: [] };
  const userFile = options.userFile ?? userInventoryPath(options.homeDir);
  const user = readInventoryFile(userFile);
  result.problems.push(...user.problems);
  const byName = new Map<string, LoadedDms>();
  for (const dms of user.inventory?.systems ?? []) byName.set(dms.name, { ...dms, source: { file: userFile, scope: 'user' } });
  for (const folder of options.workspaceFolders ?? []) {
    const file = workspaceInventoryPath(folder);
    const ws = readInventoryFile(file);
    result.problems.push(...ws.problems);
    for (const dms of ws.inventory?.systems ?? []) {
      const previous = byName.get(dms.name);
      if (previous !== undefined) {
        if (previous.source.scope === 'workspace') {
          result.problems.push({ file, pointer: '/systems', entry: `DMS "${dms.name}"`, message: `is also defined in ${previous.source.file}`, fix: 'keep the DMS in one workspace folder only' });
          continue;
        }
        result.shadowed.push({ name: dms.name, userFile: previous.source.file, workspaceFile: file });
        continue;
      }
      byName.set(dms.name, { ...dms, source: { file, scope: 'workspace' } });
    }
  }
  result.systems = [...byName.values()];
  return result;
}

/** Loads and throws InventoryInvalidError if any file has problems. */
export function loadInventoryStrict(options: LoadOptions = {}): LoadedInventory {
  const r = loadInventory(options);
  if (r.problems.length > 0) throw new InventoryInvalidError(r.problems);
  return r;
}

export function findDms(inventory: LoadedInventory, name: string): LoadedDms {
  const dms = inventory.systems.find((s) => s.name === name);
  if (dms === undefined) throw new UnknownDmsError(name, inventory.systems.map((s) => s.name));
  return dms;
}
