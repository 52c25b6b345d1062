// DataMiner's part of Start Rollback: the answers a DMS of the inventory implies (its Agents, production flag,
// database VM), the versions to go back to from the Agents' VersionHistory.txt, the packages from what lies in the
// Agents' Upgrades folder (or a local file chosen in the dialog).
import type { LoadedDms } from '../../adapters/store/inventory-types';
import { PROCEDURE_ID } from '../../procedures/dataminer/procedure';
import type { DmsUpgradeChoices } from '../inventory/upgrade-packages';
import type { ParameterOffer } from '../commands/run-questions';
import type { ProcedureUiContribution } from './procedure-ui';

export interface DmsChoiceSource {
  /** The DMS of the inventory by name; undefined when it is not there. */
  find(dms: string): LoadedDms | undefined;
  /** Read-only facts of a DMS of the inventory; undefined when it is not in the inventory. */
  read(dms: string): Promise<DmsUpgradeChoices | undefined>;
}

/** The answers a DMS of the inventory implies. */
export function inventoryPrefill(dms: LoadedDms): Record<string, string> {
  // Agents as name=address: the address is what the Agents know each other by (UpgradeInfo.xml).
  const agents = dms.agents.map((a) => (a.host ? `${a.name}=${a.host}` : a.name)).join(',');
  // The database VM comes from the inventory: route A restores it as the database, never an Agent by its name.
  // Without a hypervisor in the inventory, route A can only be a manual checklist: offer route B (packages) first;
  // the route is still asked, and snapshot stays one choice away.
  const route: Record<string, string> = dms.hypervisor === undefined ? { route: 'package' } : {};
  return { agents, production: String(dms.production), ...route, ...(dms.databaseVm ? { databaseVm: dms.databaseVm.name } : {}) };
}

const LOCAL_PACKAGE = { title: 'A local DataMiner upgrade package', filters: { 'DataMiner packages': ['dmupgrade', 'dmupdate'] } };

export function versionChoices(facts: DmsUpgradeChoices): ParameterOffer {
  // Newest first; the version running now is not a version to go back to.
  const seen = new Set<string>();
  const items = [...facts.history]
    .reverse()
    .filter((e) => e.version !== facts.current && !seen.has(e.version) && seen.add(e.version))
    .map((e) => ({ label: e.version, description: `ran from ${e.installedAt}`, detail: `build ${e.build} (VersionHistory.txt)`, value: e.version }));
  return { items };
}

export function packageChoices(facts: DmsUpgradeChoices, to: string | undefined): ParameterOffer {
  const items = facts.packages
    .map((p) => {
      const everywhere = facts.agents.every((a) => p.agents.includes(a));
      const file = p.path.slice(p.path.lastIndexOf('\\') + 1);
      return {
        label: file,
        description: everywhere ? `on every Agent` : `only on ${p.agents.join(', ')}`,
        detail: p.path,
        value: `agent:${p.path}`,
        // The package whose name carries the version asked for comes first.
        rank: to !== undefined && file.includes(to) ? 0 : 1,
      };
    })
    .sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label))
    .map(({ rank: _rank, ...item }) => item);
  return { items, localFile: LOCAL_PACKAGE };
}

export function dataminerUi(source: DmsChoiceSource): ProcedureUiContribution {
  const cache = new Map<string, { at: number; facts: Promise<DmsUpgradeChoices | undefined> }>();
  const read = (dms: string) => {
    const hit = cache.get(dms);
    if (hit && Date.now() - hit.at < 60_000) return hit.facts;
    const facts = source.read(dms).catch(() => undefined);
    cache.set(dms, { at: Date.now(), facts });
    return facts;
  };
  return {
    procedureId: PROCEDURE_ID,
    prefill(target) {
      const dms = source.find(target);
      return dms ? inventoryPrefill(dms) : {};
    },
    async offer(def, values) {
      if (def.name !== 'to' && def.name !== 'packages') return undefined;
      const dms = values.dms;
      const facts = dms ? await read(dms) : undefined;
      if (def.name === 'to') return facts ? versionChoices(facts) : undefined;
      return facts ? packageChoices(facts, values.to) : { items: [], localFile: LOCAL_PACKAGE };
    },
  };
}
