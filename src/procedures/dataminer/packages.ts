// The upgrade packages of route B, as the user chose them (the `packages` parameter). What inspecting a local package
// revealed, and the tool that inspects and fixes them, are contracts in src/core/dataminer/package-tool.ts: the
// adapter implements them and the planner only sees the results.
import { DowngradeInputError } from './errors';

/** A package on this machine (uploaded to the Agents by the run) or one already on every Agent. */
export type PackageSource = { where: 'local'; path: string } | { where: 'agent'; path: string };

const AGENT_PREFIX = /^agent:/i;

/**
 * `packages`: one entry per package in installation order, separated by `;` or new lines. A local path, or
 * `agent:C:\...` for a package already in place on every Agent.
 */
export function parsePackages(text: string): PackageSource[] {
  const entries = text
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return entries.map((e) => {
    if (AGENT_PREFIX.test(e)) {
      const path = e.replace(AGENT_PREFIX, '').trim();
      if (!/^[A-Za-z]:\\/.test(path)) {
        throw new DowngradeInputError(`Package "${e}": a package on the Agents must be an absolute Windows path, e.g. agent:C:\\Skyline DataMiner\\Upgrades\\DataMiner 10.3.5.dmupgrade.`);
      }
      return { where: 'agent', path };
    }
    return { where: 'local', path: e };
  });
}

export function packagesProblem(text: string): string | undefined {
  try {
    parsePackages(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The file name of a package path, Windows or POSIX. */
export function packageFileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** Where the fixed copy of a local package goes: next to it, never over it. */
export function fixedCopyPath(path: string): string {
  const name = packageFileName(path);
  const dir = path.slice(0, path.length - name.length);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  return `${dir}${stem}.without-VerifyNatsIsRunning${ext}`;
}
