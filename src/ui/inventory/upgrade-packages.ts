// Upgrade packages present on an Agent, for Start Rollback to offer instead of a typed path. The DataMiner procedure's
// own adapter function for this is being written on another branch; until it lands this small read-only lister is
// the one the UI uses (one folder listing per Agent, the same Get-ChildItem form as the module installers listing).
import type { VersionHistoryEntry } from '../../core/dataminer/agent-output';
import { checkWindowsPath, DEFAULT_AGENT_PATHS, psLiteral, renderLine, upgradesDir, type DefaultShell, type RenderedCommand } from '../../core/dataminer/windows-commands';

/** Where packages are uploaded on an Agent (Upgrades folder of the DataMiner install; domain.md). */
export const UPGRADES_FOLDER = upgradesDir(DEFAULT_AGENT_PATHS);

/** Full (.dmupgrade) and differential (.dmupdate) packages are the ones a downgrade installs (domain.md). */
const PACKAGE = /^[^\\/:*?"<>|]+\.(dmupgrade|dmupdate)$/i;

export interface DmsUpgradeChoices {
  history: VersionHistoryEntry[];
  current?: string;
  /** Packages as agent paths, with the Agents that have them. */
  packages: Array<{ path: string; agents: string[] }>;
  agents: string[];
}

/** File names in the Upgrades folder of an Agent. */
export function listUpgradePackages(shell: DefaultShell): RenderedCommand {
  return renderLine('list-upgrade-packages', `Get-ChildItem -LiteralPath ${psLiteral(checkWindowsPath('Upgrades folder', UPGRADES_FOLDER))} -File -Name`, shell);
}

export function packageFileNames(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => PACKAGE.test(l));
}
