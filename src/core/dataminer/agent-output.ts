// Pure parsers of what Agents answer to the read-only commands in windows-commands.ts.

export interface VersionHistoryEntry {
  /** As written by DataMiner, e.g. `2025-03-27 11:16:35`. */
  installedAt: string;
  /** Build string, e.g. `10.5.4.0-15588-20250319-release`. */
  build: string;
  /** Numeric part, e.g. `10.5.4.0`. */
  version: string;
}

/** `C:\Skyline DataMiner\Upgrades\VersionHistory.txt`: one `<date time>;<build>` line per upgrade, oldest first. */
export function parseVersionHistory(text: string): VersionHistoryEntry[] {
  const entries: VersionHistoryEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2});\s*((\d+\.\d+\.\d+(?:\.\d+)?)\S*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined) entries.push({ installedAt: m[1], build: m[2], version: m[3] });
  }
  return entries;
}

/** The version the Agent runs now: the last line of VersionHistory.txt. */
export function currentVersion(entries: readonly VersionHistoryEntry[]): VersionHistoryEntry | undefined {
  return entries[entries.length - 1];
}

/** One row of `ConvertTo-Csv -NoTypeInformation` output, parsed per RFC 4180 (PowerShell quotes every field). */
export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const src = text.replace(/^\uFEFF/, '');
  while (i < src.length) {
    const ch = src[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  const header = nonEmpty[0];
  if (header === undefined) return [];
  return nonEmpty.slice(1).map((r) => Object.fromEntries(header.map((h, idx) => [h, r[idx] ?? ''])));
}

export interface InstalledProgram {
  name: string;
  version: string;
  /** Registry key name: the MSI product code for MSI installs. */
  key: string;
}

export function parseInstalledPrograms(csv: string): InstalledProgram[] {
  return parseCsv(csv)
    .filter((r) => (r['DisplayName'] ?? '') !== '')
    .map((r) => ({ name: r['DisplayName'] ?? '', version: r['DisplayVersion'] ?? '', key: r['PSChildName'] ?? '' }));
}

/** The modules the downgrade MOP swaps (domain.md). */
export const SWAPPED_MODULES = ['DataMiner StorageModule', 'DataMiner UserDefinableApiEndpoint'] as const;
export type SwappedModule = (typeof SWAPPED_MODULES)[number];

export interface ModuleVersion {
  module: SwappedModule;
  version: string;
  productCode: string;
}

export function findModules(programs: readonly InstalledProgram[]): ModuleVersion[] {
  const out: ModuleVersion[] = [];
  for (const module of SWAPPED_MODULES) {
    for (const p of programs) {
      if (p.name.toLowerCase() === module.toLowerCase()) out.push({ module, version: p.version, productCode: p.key });
    }
  }
  return out;
}

/** `DataMiner UserDefinableApiEndpoint 1.1.1.msi` -> module + version; other names -> undefined. */
export function parseModuleInstallerName(fileName: string): { module: SwappedModule; version: string; fileName: string } | undefined {
  for (const module of SWAPPED_MODULES) {
    const prefix = `${module} `.toLowerCase();
    if (fileName.toLowerCase().startsWith(prefix) && fileName.toLowerCase().endsWith('.msi')) {
      const version = fileName.slice(prefix.length, -4);
      if (/^\d+(\.\d+){1,3}$/.test(version)) return { module, version, fileName };
    }
  }
  return undefined;
}

export interface ServiceState {
  name: string;
  status: string;
}

export function parseServices(csv: string): ServiceState[] {
  return parseCsv(csv).map((r) => ({ name: r['Name'] ?? '', status: r['Status'] ?? '' }));
}

/** `True`/`False` lines of Test-Path. */
export function parseBooleans(text: string): boolean[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.toLowerCase() === 'true');
}
