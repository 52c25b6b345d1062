// What an emulated Agent reads from an upgrade package. Two forms: the lab's JSON stand-in (labPackage() in seed.ts),
// and a real zip as Backout uploads it — a .dmupgrade is a zip whose Update.zip holds the files and, under
// Prerequisites\, the checks (dataminer-docs: "Rename to .zip to inspect"; Update.zip\Prerequisites). The zip's version
// is the build string one of its entry names carries (the lab's convention for test packages), and its prerequisite
// checks are the DLLs in Update.zip\Prerequisites. Read with Debian's unzip, synchronously, under the Agent's lock.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PackageContent {
  build: string;
  /** Prerequisite checks, e.g. VerifyNatsIsRunning. */
  prerequisites: string[];
}

const BUILD_IN_NAME = /\d{1,2}\.\d{1,2}\.\d{1,2}\.\d{1,3}-\d{3,6}(?:-\d{8})?(?:-CU\d+)?(?:-[A-Za-z]+)?/i;

function entries(zipFile: string): string[] {
  return execFileSync('unzip', ['-Z1', zipFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function fromZip(file: string): PackageContent | undefined {
  let names: string[];
  try {
    names = entries(file);
  } catch {
    return undefined;
  }
  const update = names.find((n) => /^update\.zip$/i.test(n));
  const build = names.map((n) => BUILD_IN_NAME.exec(n)?.[0]).find((b) => b !== undefined);
  if (update === undefined || build === undefined) return undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-update-'));
  try {
    const inner = path.join(tmp, 'Update.zip');
    fs.writeFileSync(inner, execFileSync('unzip', ['-p', file, update], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }));
    const prerequisites = entries(inner)
      .map((n) => /^prerequisites[\\/]([^\\/]+)\.dll$/i.exec(n)?.[1])
      .filter((n): n is string => n !== undefined);
    return { build, prerequisites };
  } catch {
    return undefined;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The package's build and checks, or undefined when it is neither form ("invalid or corrupt"). */
export function readPackage(file: string): PackageContent | undefined {
  const head = fs.readFileSync(file).subarray(0, 2).toString('latin1');
  if (head === 'PK') return fromZip(file);
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { kind?: unknown; build?: unknown; prerequisites?: unknown };
    if (pkg.kind !== 'dmupgrade' || typeof pkg.build !== 'string' || !Array.isArray(pkg.prerequisites)) return undefined;
    return { build: pkg.build, prerequisites: pkg.prerequisites.map(String) };
  } catch {
    return undefined;
  }
}
