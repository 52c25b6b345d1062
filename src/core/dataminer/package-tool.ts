// What reading a local DataMiner upgrade package reveals, and the package operations a host provides. Inspecting and
// fixing touch local files, so an adapter implements them (src/adapters/local/dmupgrade-package.ts) and the host
// passes the tool in; the planner (src/procedures/dataminer) only sees the results. Both sides import this contract.
import type { LocalAction } from '../plan';

/** What a local package revealed when it was read (never modified). */
export interface PackageInspection {
  path: string;
  sizeBytes: number;
  /** The DataMiner version the package installs, when its contents say so (e.g. a build string in a file name). */
  version?: string;
  /** Where the version was read from, for the plan's record. */
  versionSource?: string;
  /** Whether Update.zip\Prerequisites\VerifyNatsIsRunning.dll is in the package (the known downgrade failure). */
  hasVerifyNatsIsRunning: boolean;
  /** Number of entries in the package and in its Update.zip. */
  entries: number;
  updateZipEntries: number;
}

/** The local package operations a host provides (reading and copying files is not the planner's business). */
export interface PackageTool {
  /** Reads a package without changing it; rejects with a message naming the file and the problem. */
  inspect(path: string, signal: AbortSignal): Promise<PackageInspection>;
  /** The local command that writes a copy of `source` without VerifyNatsIsRunning.dll to `destination`. */
  fixCommand(source: string, destination: string): LocalAction;
}
