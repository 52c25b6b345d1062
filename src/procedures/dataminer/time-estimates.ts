// Time estimates shown with each plan, from the vendor MOPs. "Downgrading a DMS": a snapshot restore "depends on your
// specific setup"; a downgrade with DataMiner "is similar to that for a DataMiner upgrade", whose MOP gives per phase:
// determine the version and time slot approx. 30 min; establish the details: varies; pre-upgrade check 30 min to
// 2 h; execute: varies with the version difference and the DMA startup time; backup (snapshot): depends on setup.
import type { JsonObject } from '../../core/json';

export interface PhaseEstimate {
  phase: string;
  estimate: string;
  source: string;
}

const UPGRADE_MOP = 'MOP "Upgrading a DMA/DMS", time estimate table';

export function packageRouteEstimate(packages: number, agents: number | undefined): PhaseEstimate[] {
  const who = agents === undefined ? 'every DMA' : `${agents} DMA${agents === 1 ? '' : 's'}`;
  return [
    { phase: 'Determine the version and time slot', estimate: 'approx. 30 min', source: UPGRADE_MOP },
    { phase: 'Establish the details (active problems, key functionality, known issues, hotfixes)', estimate: 'varies', source: UPGRADE_MOP },
    { phase: 'Pre-upgrade check (upload packages, prerequisite checks)', estimate: '30 min to 2 h', source: UPGRADE_MOP },
    {
      phase: `Execute: ${packages} package${packages === 1 ? '' : 's'} on ${who}`,
      estimate: 'varies with the version difference and the DMA startup time; each package is one full upgrade run',
      source: `${UPGRADE_MOP}; MOP "Downgrading a DMS": "similar to that for a DataMiner upgrade"`,
    },
  ];
}

export function snapshotRouteEstimate(): PhaseEstimate[] {
  return [
    { phase: 'VM snapshot restore', estimate: 'depends on your specific setup', source: 'MOP "Downgrading a DMS", Time estimate' },
    { phase: 'Database VM / remote database restore', estimate: 'depends on your setup and in-house procedures', source: 'MOP "Downgrading a DMS", Downgrade with VM snapshot restore' },
  ];
}

export function estimateJson(estimates: readonly PhaseEstimate[]): JsonObject[] {
  return estimates.map((e) => ({ phase: e.phase, estimate: e.estimate, source: e.source }));
}
