// DataMiner versions in every form users meet, parsed into one ordered model.
//
//   10.3.8                              feature release 10.3.8
//   10.3.0 [CU5], 10.3.0 CU5            main release 10.3.0, cumulative update 5
//   10.3.9_CU1, 10.3.9 [CU1]            feature release 10.3.9, cumulative update 1
//   10.3.0.5                            four-part form typed by a user: the fourth number is the cumulative update
//   10.4.0.0-14772-20240821-release     build string (as in VersionHistory.txt): version, build number, date
//   10.2.0.0-11897-CU4                  build string that names its CU
//   9.6.0                               older majors work the same way
//
// A "major version" is the first two numbers (10.3). Within one, x.y.0 is the main release and x.y.1 … x.y.12 are
// the feature releases that lead to the next main release. Ordering is by (major, minor, release, CU): 10.3.0 [CU5]
// sorts before 10.3.1, because the main release branched off before the feature releases that followed it.
//
// The fourth number of a build string is NOT the CU: it is 0 on main-release CUs ("DataMiner 10.2.0.0-11897-CU4 Main
// Release", release-notes/MbgNMS/MbgNMS_1.1.0.md; the 10.0.0 [CU19] download is `10-0-0-0-11025-cu19`). A build string
// names its CU only with a `-CUn` suffix; otherwise the CU is unknown and the build number (rising over time) orders
// two builds of one release.

export interface DmVersion {
  major: number;
  minor: number;
  /** 0 for a main release, 1… for feature releases. */
  release: number;
  /** Cumulative update number, 0 when none (or when unknown, see cuUnknown). */
  cu: number;
  /** A build string without a `-CUn` suffix: which CU it is cannot be told from it. */
  cuUnknown?: boolean;
  build?: number;
  /** Build date as YYYY-MM-DD, when the build string carries one. */
  date?: string;
  /** The text it was parsed from, trimmed. */
  raw: string;
}

export type ReleaseKind = 'main' | 'feature';

export class VersionError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
    this.name = 'VersionError';
  }
}

const EXAMPLES = '10.3.8, 10.3.0 [CU5], 10.3.9_CU1, 9.6.0 or 10.4.0.0-14772-20240821-release';

const BUILD = /^(\d+)\.(\d+)\.(\d+)\.(\d+)-(\d+)(?:-(\d{8}))?(?:-CU(\d+))?(?:-[A-Za-z][\w.-]*)?$/i;
const PLAIN = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?(?:(?:\s*\[\s*CU\s*(\d+)\s*\])|(?:[\s_-]*CU\s*(\d+)))?$/i;

function toInt(s: string | undefined): number {
  return s === undefined ? 0 : Number.parseInt(s, 10);
}

/** Parses a DataMiner version; throws VersionError naming the input and the accepted forms. */
export function parseVersion(input: string): DmVersion {
  const raw = (input ?? '').trim();
  if (raw.length === 0) throw new VersionError(input, `A DataMiner version is required, e.g. ${EXAMPLES}.`);
  const build = BUILD.exec(raw);
  if (build) {
    const date = build[6] ? `${build[6].slice(0, 4)}-${build[6].slice(4, 6)}-${build[6].slice(6, 8)}` : undefined;
    const cuText = build[7];
    return check(raw, {
      major: toInt(build[1]),
      minor: toInt(build[2]),
      release: toInt(build[3]),
      cu: toInt(cuText),
      ...(cuText === undefined ? { cuUnknown: true } : {}),
      build: toInt(build[5]),
      ...(date ? { date } : {}),
      raw,
    });
  }
  const plain = PLAIN.exec(raw);
  if (plain) {
    const fourth = plain[4];
    const cuText = plain[5] ?? plain[6];
    if (fourth !== undefined && cuText !== undefined && toInt(fourth) !== toInt(cuText)) {
      throw new VersionError(input, `"${raw}" names two different cumulative updates. Write it as ${EXAMPLES}.`);
    }
    return check(raw, { major: toInt(plain[1]), minor: toInt(plain[2]), release: toInt(plain[3]), cu: toInt(cuText ?? fourth), raw });
  }
  throw new VersionError(input, `"${raw}" is not a DataMiner version. Write it as ${EXAMPLES}.`);
}

function check(raw: string, v: DmVersion): DmVersion {
  if (v.major < 7 || v.major > 99) throw new VersionError(raw, `"${raw}": DataMiner major versions run from 7 upwards; check the version.`);
  if (v.release > 20) throw new VersionError(raw, `"${raw}": a DataMiner release number above 20 does not exist (feature releases run 1–12).`);
  if (v.cu > 99) throw new VersionError(raw, `"${raw}": cumulative update ${v.cu} does not exist; check the version.`);
  const last = LAST_FEATURE_RELEASE[`${v.major}.${v.minor}`];
  if (last !== undefined && v.release > last) {
    throw new VersionError(raw, `"${raw}": DataMiner ${v.major}.${v.minor}.${v.release} does not exist; the ${v.major}.${v.minor} feature releases are ${v.major}.${v.minor}.1–${v.major}.${v.minor}.${last} (main release ${v.major}.${v.minor}.0). Check the version.`);
  }
  return v;
}

/** The last feature release of a major, where the vendor's documents say (domain.md: there is no 10.3.13). */
const LAST_FEATURE_RELEASE: Readonly<Record<string, number>> = { '10.3': 12 };

export function releaseKind(v: DmVersion): ReleaseKind {
  return v.release === 0 ? 'main' : 'feature';
}

/** Release order; two builds of one release whose CU is not known are ordered by build number. */
export function compareVersions(a: DmVersion, b: DmVersion): number {
  const byRelease = a.major - b.major || a.minor - b.minor || a.release - b.release;
  if (byRelease !== 0) return byRelease;
  if ((a.cuUnknown === true || b.cuUnknown === true) && a.build !== undefined && b.build !== undefined) return a.build - b.build;
  return a.cu - b.cu;
}

/** Same release and CU; builds of one version compare equal. */
export function sameVersion(a: DmVersion, b: DmVersion): boolean {
  return compareVersions(a, b) === 0;
}

/** The major version a version belongs to, e.g. "10.3". */
export function majorOf(v: DmVersion): string {
  return `${v.major}.${v.minor}`;
}

/** "10.3.0 [CU5]" for main-release CUs, "10.3.9 CU1" for feature-release CUs, "10.3.8" otherwise. */
export function formatVersion(v: DmVersion): string {
  const base = `${v.major}.${v.minor}.${v.release}`;
  // A feature release almost never has a CU; a main release read from a bare build string could be any of them.
  if (v.cuUnknown === true) return releaseKind(v) === 'main' ? `${base} [CU?] (build ${v.build ?? '?'})` : base;
  if (v.cu === 0) return base;
  return releaseKind(v) === 'main' ? `${base} [CU${v.cu}]` : `${base} CU${v.cu}`;
}

/** Parses a version or returns the validation message, for parameter validators. */
export function versionProblem(input: string): string | undefined {
  try {
    parseVersion(input);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
