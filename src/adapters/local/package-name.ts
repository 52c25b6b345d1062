// The DataMiner version a package's name reveals, where it does: a build string as in VersionHistory.txt
// (10.4.0.0-14772-20240821-release, 10.2.0.0-11897-CU4) or a version with an optional CU as download names carry it
// (10.3.0 CU2, 10.3.9_CU1, 10.3.0 [CU5]). Used for local packages and for the packages found on an Agent.
import * as path from 'node:path';

/** A build string, as in VersionHistory.txt. */
export const BUILD_IN_NAME = /\d{1,2}\.\d{1,2}\.\d{1,2}\.\d{1,3}-\d{3,6}(?:-\d{8})?(?:-CU\d+)?(?:-[A-Za-z]+)?/i;
const VERSION_IN_NAME = /(?<![\d.])(\d{1,2}\.\d{1,2}\.\d{1,2})(?![\d.]*\d)(?:[ _-]*\[?\s*CU\s*(\d{1,2})\]?)?/i;

export function packageVersionFromName(name: string): string | undefined {
  const base = path.win32.basename(name);
  const build = BUILD_IN_NAME.exec(base);
  if (build !== null) return build[0];
  const m = VERSION_IN_NAME.exec(base);
  if (m?.[1] === undefined) return undefined;
  return m[2] === undefined ? m[1] : `${m[1]} CU${m[2]}`;
}
