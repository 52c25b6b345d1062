// The DataMiner Systems of the sandbox, each with the packages its natural downgrade needs already on its Agents
// (C:\Skyline DataMiner\Upgrades, where Backout looks for packages on an Agent), so Start Rollback can offer them:
//   lab-dms       3 Agents at 10.3.9 with StorageModule 3.0.3 / UserDefinableApiEndpoint 2.0.2 and a 10.3.5 package:
//                 the downgrade needs the MOP's module swap on every Agent (10.3.8+ → 10.3.4–10.3.7).
//   lab-dms-nats  2 Agents at 10.5.2 with the 10.4.0 and 10.3.9 packages, both with VerifyNatsIsRunning as the vendor's
//                 are: across two majors, the 10.3.9 package is installed while the DMS runs 10.4.0 and meets the known
//                 issue. On the Agents it fails as a real one would; the same packages as local files (the folder
//                 SANDBOX.md names) let Backout make the fixed copy of the 10.3.9 package.
import type { AgentSeed } from '../agent/seed';

export interface SandboxDms {
  name: string;
  description: string;
  version: string;
  agents: string[];
  /** Package versions placed on every Agent, in the order the downgrade installs them. */
  packages: string[];
  /** The version a person would go back to. */
  target: string;
  /** The versions the DMS ran before, oldest first (the Agents' VersionHistory.txt). */
  history: string[];
  modules?: AgentSeed['modules'];
}

export const SANDBOX_DMSS: readonly SandboxDms[] = [
  {
    name: 'lab-dms',
    description: 'module swap: 10.3.9 → 10.3.5',
    version: '10.3.9',
    agents: ['dma-01', 'dma-02', 'dma-03'],
    packages: ['10.3.5'],
    target: '10.3.5',
    history: ['10.3.0', '10.3.5'],
    // The module versions that make the downgrade to 10.3.4–10.3.7 need the MOP's per-Agent module swap.
    modules: { storageModule: '3.0.3', userDefinableApiEndpoint: '2.0.2' },
  },
  {
    name: 'lab-dms-nats',
    description: 'across majors, VerifyNatsIsRunning known issue: 10.5.2 → 10.3.9 via 10.4.0',
    version: '10.5.2',
    agents: ['nats-01', 'nats-02'],
    packages: ['10.4.0', '10.3.9'],
    target: '10.3.9',
    history: ['10.3.9', '10.4.0'],
  },
];

/** Where a sandbox package lies on each Agent: the top of the Upgrades folder, named after its version. */
export function agentPackagePath(version: string): string {
  return `C:\\Skyline DataMiner\\Upgrades\\DataMiner ${version}.dmupgrade`;
}
