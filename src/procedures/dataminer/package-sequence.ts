// Which upgrade packages a downgrade installs, in order. The vendor MOP: "If you need to go back several major
// DataMiner versions … download a package for every major version you are downgrading to … first install 10.3.0,
// then 10.2.0, and then 10.1.0" (current MOP, example 10.4.0 → 10.1.0); the older wording's example is
// 10.2.0 → 9.6.0 via 10.1.0 and 10.0.0. Both hold here.
import { compareVersions, formatVersion, majorOf, parseVersion, type DmVersion } from './version';

/**
 * DataMiner's major versions in release order. 9.x had 9.0, 9.5 and 9.6 only; from 10.0 on every minor number is a
 * major version. Versions beyond the list continue the 10.x sequence.
 */
const KNOWN_MAJORS = ['7.5', '8.0', '8.5', '9.0', '9.5', '9.6', '10.0', '10.1', '10.2', '10.3', '10.4', '10.5', '10.6'];

export class DowngradeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DowngradeError';
  }
}

function majorKey(m: string): [number, number] {
  const [a, b] = m.split('.').map((n) => Number.parseInt(n, 10));
  return [a ?? 0, b ?? 0];
}

function compareMajors(a: string, b: string): number {
  const [a1, a2] = majorKey(a);
  const [b1, b2] = majorKey(b);
  return a1 - b1 || a2 - b2;
}

/** Major versions strictly between `lower` and `upper`, newest first. */
export function majorsBetween(upper: string, lower: string): string[] {
  const all = new Set(KNOWN_MAJORS);
  // Majors past the known list (10.7, 10.8, …) follow the 10.x rule: every minor number is a major.
  const [u1, u2] = majorKey(upper);
  if (u1 === 10) for (let m = 0; m <= u2; m++) all.add(`10.${m}`);
  all.add(upper);
  all.add(lower);
  return [...all]
    .filter((m) => compareMajors(m, lower) > 0 && compareMajors(m, upper) < 0)
    .sort((a, b) => compareMajors(b, a));
}

export interface PackageStep {
  /** The version this package installs: "10.3.0" for an intermediate major, the target itself last. */
  version: DmVersion;
  label: string;
  /** True for the last package, the version asked for. */
  final: boolean;
}

/** The packages to install, newest first. Refuses a target that is not lower than the current version. */
export function packageSequence(current: DmVersion | string, target: DmVersion | string): PackageStep[] {
  const from = typeof current === 'string' ? parseVersion(current) : current;
  const to = typeof target === 'string' ? parseVersion(target) : target;
  const cmp = compareVersions(to, from);
  if (cmp === 0) {
    throw new DowngradeError(`The DMS already runs ${formatVersion(from)}; there is nothing to downgrade. Choose a lower target version.`);
  }
  if (cmp > 0) {
    throw new DowngradeError(
      `${formatVersion(to)} is higher than the current ${formatVersion(from)}: this procedure only downgrades. ` +
        'Use the upgrade procedure (MOP "Upgrading a DMA/DMS") to go up, or choose a lower target version.',
    );
  }
  const steps: PackageStep[] = majorsBetween(majorOf(from), majorOf(to)).map((m) => {
    const version = parseVersion(`${m}.0`);
    return { version, label: `${m}.0`, final: false };
  });
  steps.push({ version: to, label: formatVersion(to), final: true });
  return steps;
}
