// The upgrade packages of route B, as the user chose them (the `packages` parameter), and what inspecting a local
// package revealed. Inspecting and fixing touch local files, so they live in an adapter (PackageTool, implemented by
// src/adapters/local/dmupgrade-package.ts) that the host passes in; the planner only sees the results.
import type { LocalAction } from '../../core/plan';
import { DowngradeInputError } from './errors';

/** A package on this machine (uploaded to the Agents by the run) or one already on every Agent. */
export type PackageSource = { where: 'local'; path: string } | { where: 'agent'; path: string };

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
