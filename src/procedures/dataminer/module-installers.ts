// What the module swap does on one Agent, decided from its facts: which installed modules to uninstall ("DataMiner
// StorageModule (version 3.0.3 or higher)", "DataMiner UserDefinableApiEndpoint (version 2.0.0 or higher)") and which
// installer from C:\Skyline DataMiner\tools\ModuleInstallers to reinstall (the highest "1.0.1 or lower" / "1.1.1 or
// lower" found there). An Agent without a suitable installer is refused before anything changes.
import type { PlannedAgentFacts } from './facts';
import { parseModuleInstallerName, type ModuleVersion, type SwappedModule } from '../../core/dataminer/agent-output';
import { agentLabel, NoSuitableInstallerError } from './errors';
import { join, moduleInstallersDir } from '../../core/dataminer/windows-commands';

export interface SwapRule {
  module: SwappedModule;
  /** Installed versions at or above this are uninstalled. */
  uninstallFrom: string;
  /** The reinstalled version is the highest at or below this. */
  reinstallAtMost: string;
  /** Short id used in step ids. */
  slug: string;
}

export const SWAP_RULES: readonly SwapRule[] = [
  { module: 'DataMiner StorageModule', uninstallFrom: '3.0.3', reinstallAtMost: '1.0.1', slug: 'storagemodule' },
  { module: 'DataMiner UserDefinableApiEndpoint', uninstallFrom: '2.0.0', reinstallAtMost: '1.1.1', slug: 'udapi' },
];

/** Compares dotted numeric versions (1.0.1 < 1.1.0 < 3.0.3). */
export function compareDotted(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10));
  const pb = b.split('.').map((n) => Number.parseInt(n, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface ModuleSwapAction {
  rule: SwapRule;
  /** Installed versions to remove (3.0.3+ / 2.0.0+), each with its product code. */
  uninstall: ModuleVersion[];
  /** The installer to run afterwards. */
  install: { fileName: string; version: string; path: string };
}

export interface AgentSwapPlan {
  agent: PlannedAgentFacts;
  actions: ModuleSwapAction[];
}

/** The highest installer of `rule.module` at or below the limit, among the folder's file names. */
export function chooseInstaller(rule: SwapRule, fileNames: readonly string[]): { fileName: string; version: string } | undefined {
  const candidates = fileNames
    .map(parseModuleInstallerName)
    .filter((c): c is NonNullable<typeof c> => c !== undefined && c.module === rule.module && compareDotted(c.version, rule.reinstallAtMost) <= 0)
    .sort((a, b) => compareDotted(b.version, a.version));
  const best = candidates[0];
  return best === undefined ? undefined : { fileName: best.fileName, version: best.version };
}

/** The swap on one Agent; throws NoSuitableInstallerError when the folder lacks an installer. */
export function planAgentSwap(agent: PlannedAgentFacts): AgentSwapPlan {
  const installers = agent.installers ?? [];
  const folder = moduleInstallersDir(agent.paths);
  const actions = SWAP_RULES.map((rule): ModuleSwapAction => {
    const chosen = chooseInstaller(rule, installers);
    if (chosen === undefined) {
      const found = installers.filter((f) => parseModuleInstallerName(f)?.module === rule.module);
      throw new NoSuitableInstallerError(agentLabel(agent.agent), rule.module, rule.reinstallAtMost, folder, found);
    }
    const uninstall = (agent.modules ?? []).filter((m) => m.module === rule.module && compareDotted(m.version, rule.uninstallFrom) >= 0);
    return { rule, uninstall, install: { ...chosen, path: join(folder, chosen.fileName) } };
  });
  return { agent, actions };
}
