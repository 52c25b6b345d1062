// The upgrade packages present on an Agent, read-only: the .dmupgrade / .dmupdate files in
// C:\Skyline DataMiner\Upgrades (top level — where Backout looks for packages already on an Agent and where the sandbox
// puts them; the per-upgrade folders under Upgrades\Packages are the Agent's own), with their sizes and the version
// their names reveal. For Start Rollback to offer them as agent:C:\... packages.
import { parseCsv } from '../../core/dataminer/agent-output';
import { DEFAULT_AGENT_PATHS, join, listUpgradePackages, upgradesDir, type AgentPaths, type DefaultShell } from '../../core/dataminer/windows-commands';
import { packageVersionFromName } from '../local/package-name';
import { detectDefaultShell } from './agent-facts';
import type { AgentEndpoint } from './endpoint';
import { describeEndpoint } from './endpoint';
import type { SshPool } from './pool';

export interface AgentPackage {
  /** Full Windows path on the Agent, as the `packages` parameter takes it after `agent:`. */
  path: string;
  fileName: string;
  sizeBytes: number;
  /** The version the file name reveals (a build string or e.g. "10.3.0 CU5"); undefined when it says none. */
  version?: string;
}

export interface AgentPackageOptions {
  paths?: AgentPaths;
  /** Skip detection when the inventory says which DefaultShell the Agent has. */
  shell?: DefaultShell;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class AgentPackagesError extends Error {
  constructor(
    readonly agent: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentPackagesError';
  }
}

const PACKAGE_FILE = /\.dm(?:upgrade|update)$/i;

/** Parses list-upgrade-packages output (CSV of Name, Length) into the packages, sorted by name. */
export function parseAgentPackages(csv: string, folder: string): AgentPackage[] {
  return parseCsv(csv)
    .filter((r) => PACKAGE_FILE.test(r['Name'] ?? ''))
    .map((r) => {
      const fileName = r['Name'] as string;
      const version = packageVersionFromName(fileName);
      return { path: join(folder, fileName), fileName, sizeBytes: Number(r['Length'] ?? 0), ...(version === undefined ? {} : { version }) };
    })
    .sort((a, b) => a.fileName.localeCompare(b.fileName));
}

/** Lists the packages on one Agent; rejects with AgentPackagesError naming the Agent when it cannot be read. */
export async function listAgentPackages(pool: SshPool, endpoint: AgentEndpoint, options: AgentPackageOptions = {}): Promise<AgentPackage[]> {
  const paths = options.paths ?? DEFAULT_AGENT_PATHS;
  const run = { idempotent: true, timeoutMs: options.timeoutMs ?? 60_000, ...(options.signal ? { signal: options.signal } : {}) };
  const shell = options.shell ?? (await detectDefaultShell(pool, endpoint, options));
  const r = await pool.exec(endpoint, listUpgradePackages(paths, shell).line, run);
  if (r.exitCode !== 0) {
    const folder = upgradesDir(paths);
    throw new AgentPackagesError(
      describeEndpoint(endpoint),
      `Agent ${describeEndpoint(endpoint)}: could not list the packages in ${folder} (exit code ${r.exitCode}: ${r.stderr.split('\n')[0] ?? ''}). Check that DataMiner is installed there and the account may read it.`,
    );
  }
  return parseAgentPackages(r.stdout, upgradesDir(paths));
}
