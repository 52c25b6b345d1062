// DataMiner versions as an emulated Agent knows them: from its build string. Written apart from the procedure's own
// parser (src/procedures/dataminer/version.ts) on purpose, so a wrong reading there fails a lab test instead of being
// mirrored here.
//
// Build strings (dataminer-docs, VersionHistory.txt lines such as `10.5.4.0-15588-20250319-release`): the fourth number
// is NOT the cumulative update — it is 0 on main-release CUs ("DataMiner 10.2.0.0-11897-CU4 Main Release",
// release-notes/MbgNMS/MbgNMS_1.1.0.md; the 10.0.0 [CU19] download `10-0-0-0-11025-cu19`). A build string names its CU
// only with a `-CUn` suffix; the build number (11897, 14772, rising over time) orders builds.

export interface LabVersion {
  major: number;
  minor: number;
  /** 0: main release; 1…: feature release. */
  release: number;
  /** From a `-CUn` suffix; 0 when there is none. */
  cu: number;
  build: number;
}

const BUILD = /^(\d+)\.(\d+)\.(\d+)\.\d+-(\d+)(?:-\d{8})?(?:-CU(\d+))?(?:-[A-Za-z][\w.-]*)?$/i;
const PLAIN = /^(\d+)\.(\d+)\.(\d+)(?:\s*\[CU(\d+)\])?$/i;

/** Reads a build string, or a plain `10.3.5` / `10.3.0 [CU5]` (build 0) as lab seeds and tests write them. */
export function labVersion(text: string): LabVersion {
  const b = BUILD.exec(text.trim());
  if (b !== null) return { major: Number(b[1]), minor: Number(b[2]), release: Number(b[3]), cu: Number(b[5] ?? 0), build: Number(b[4]) };
  const p = PLAIN.exec(text.trim());
  if (p !== null) return { major: Number(p[1]), minor: Number(p[2]), release: Number(p[3]), cu: Number(p[4] ?? 0), build: 0 };
  throw new Error(`not a DataMiner version or build string: ${text}`);
}

/** Release order; within one release, by build number when both have one, else by CU. */
export function compareLab(a: LabVersion, b: LabVersion): number {
  const byRelease = a.major - b.major || a.minor - b.minor || a.release - b.release;
  if (byRelease !== 0) return byRelease;
  if (a.build > 0 && b.build > 0) return a.build - b.build;
  return a.cu - b.cu;
}

/** The release part only (10.3.5 of any CU or build). */
export function releaseAtLeast(v: LabVersion, major: number, minor: number, release: number): boolean {
  return (v.major - major || v.minor - minor || v.release - release) >= 0;
}

function isMain(v: LabVersion): boolean {
  return v.release === 0;
}

/**
 * "From DataMiner 10.4.0/10.4.3 onwards" the DMA uses the DataMinerMessageBroker.API NuGet instead of SLMessageBroker.dll
 * (dataminer-docs KI_Downgrade_fails_VerifyNatsIsRunning_prerequisite): main release 10.4.0 and its CUs, feature release
 * 10.4.3 and later; feature releases 10.4.1 and 10.4.2 still have SLMessageBroker.dll.
 */
export function usesMessageBrokerNuget(v: LabVersion): boolean {
  if (v.major !== 10) return v.major > 10;
  if (v.minor !== 4) return v.minor > 4;
  return isMain(v) || v.release >= 3;
}

/**
 * Packages carry the VerifyNatsIsRunning prerequisite from 10.2.7/10.2.0 [CU14] until 10.5.3/10.5.0 [CU0]; from
 * 10.5.4/10.5.0 [CU1] VerifyNatsCluster replaces it (user-guide/Reference/DataMiner_Tools/VerifyNatsIsRunning.md).
 */
export function carriesVerifyNatsIsRunning(v: LabVersion): boolean {
  if (v.major !== 10) return false;
  if (v.minor === 2) return isMain(v) ? v.cu >= 14 : v.release >= 7;
  if (v.minor === 3 || v.minor === 4) return true;
  if (v.minor === 5) return isMain(v) ? v.cu === 0 : v.release <= 3;
  return false;
}

/** Where VerifyNatsCluster is the NATS check instead (same page). */
export function carriesVerifyNatsCluster(v: LabVersion): boolean {
  return !carriesVerifyNatsIsRunning(v) && (v.major > 10 || (v.major === 10 && v.minor >= 5));
}

export function formatLab(v: LabVersion): string {
  const base = `${v.major}.${v.minor}.${v.release}`;
  return v.cu === 0 ? base : isMain(v) ? `${base} [CU${v.cu}]` : `${base} CU${v.cu}`;
}
