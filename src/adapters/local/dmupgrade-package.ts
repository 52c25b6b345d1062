// DataMiner upgrade packages on this machine: a .dmupgrade is a zip whose Update.zip holds the files and, under
// Prerequisites\, the checks run on upload. This reads a package (never changing it) and writes a fixed copy without
// Update.zip\Prerequisites\VerifyNatsIsRunning.dll — the known issue's fix, for the package it applies to (nats-prerequisite.ts decides which).
// Packages can be several GB: entries are streamed (yauzl in, yazl out) and Update.zip goes through a temporary
// file, so memory use does not grow with the package.
//
// Also a small command line, which the run's fix step calls:
//   node dmupgrade-package.js inspect <package>            prints the inspection as JSON
//   node dmupgrade-package.js fix <package> <destination>  writes the fixed copy
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import * as yazl from 'yazl';
import type { LocalAction } from '../../core/plan';
import type { PackageInspection, PackageTool } from '../../core/dataminer/package-tool';
import { BUILD_IN_NAME, packageVersionFromName as versionFromName } from './package-name';

export class PackageFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'PackageFileError';
  }
}

const VERIFY_NATS = /^prerequisites[\\/]verifynatsisrunning\.dll$/i;
const UPDATE_ZIP = /^update\.zip$/i;
function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) => {
      if (err !== null || zip === undefined) reject(new PackageFileError(file, `is not a readable zip package (${err?.message ?? 'unknown error'})`));
      else resolve(zip);
    });
  });
}

function readEntries(zip: yauzl.ZipFile, file: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (err: Error) => reject(new PackageFileError(file, `is damaged (${err.message})`)));
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, s) => (err !== null ? reject(err) : resolve(s))));
}

async function withZip<T>(file: string, fn: (zip: yauzl.ZipFile, entries: yauzl.Entry[]) => Promise<T>): Promise<T> {
  const zip = await openZip(file);
  try {
    return await fn(zip, await readEntries(zip, file));
  } finally {
    zip.close();
  }
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-dmupgrade-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}

/** Reads a package: readable zip, its Update.zip, the prerequisite DLL, and its version where a name reveals it. */
export async function inspectPackage(file: string, signal?: AbortSignal): Promise<PackageInspection> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new PackageFileError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!stat.isFile()) throw new PackageFileError(file, 'is not a file');
  fs.accessSync(file, fs.constants.R_OK);
  return withZip(file, async (zip, entries) => {
    const update = entries.find((e) => UPDATE_ZIP.test(e.fileName));
    if (update === undefined) throw new PackageFileError(file, 'has no Update.zip: it is not a DataMiner upgrade package (.dmupgrade)');
    checkSignal(signal);
    const inner = await withTempDir(async (dir) => {
      const tmp = path.join(dir, 'Update.zip');
      await pipeline(await openEntry(zip, update), fs.createWriteStream(tmp), ...(signal ? [{ signal }] : []));
      return withZip(tmp, async (_z, innerEntries) => innerEntries.map((e) => e.fileName));
    });
    let version: string | undefined;
    let versionSource: string | undefined;
    for (const name of [...entries.map((e) => e.fileName), ...inner]) {
      if (!BUILD_IN_NAME.test(name)) continue;
      version = versionFromName(name);
      if (version !== undefined) {
        versionSource = `entry ${name}`;
        break;
      }
    }
    if (version === undefined) {
      version = versionFromName(file);
      if (version !== undefined) versionSource = `file name ${path.basename(file)}`;
    }
    return {
      path: file,
      sizeBytes: stat.size,
      ...(version !== undefined ? { version, versionSource: versionSource as string } : {}),
      hasVerifyNatsIsRunning: inner.some((n) => VERIFY_NATS.test(n)),
      entries: entries.length,
      updateZipEntries: inner.length,
    };
  });
}

function entryOptions(e: yauzl.Entry): { mtime: Date; mode?: number } {
  const mode = (e.externalFileAttributes >>> 16) & 0o177777;
  return { mtime: e.getLastModDate(), ...(mode !== 0 ? { mode } : {}) };
}

/** Copies `source` into a new zip at `destination`, leaving out the entries `skip` matches and replacing some. */
async function rewriteZip(source: string, destination: string, skip: (name: string) => boolean, replace: Map<string, string>, signal?: AbortSignal): Promise<number> {
  let removed = 0;
  await withZip(source, async (zip, entries) => {
    const out = new yazl.ZipFile();
    const written = pipeline(out.outputStream, fs.createWriteStream(destination), ...(signal ? [{ signal }] : []));
    for (const e of entries) {
      const name = e.fileName.replace(/\\/g, '/');
      if (skip(e.fileName)) {
        removed++;
        continue;
      }
      const opts = entryOptions(e);
      if (name.endsWith('/')) {
        out.addEmptyDirectory(name, opts);
        continue;
      }
      const replacement = replace.get(e.fileName);
      if (replacement !== undefined) out.addFile(replacement, name, opts);
      else out.addReadStreamLazy(name, { ...opts, size: e.uncompressedSize }, (cb) => zip.openReadStream(e, (err, s) => cb(err, s)));
    }
    out.end();
    await written;
  });
  return removed;
}

export interface FixResult {
  source: string;
  destination: string;
  removed: number;
}

/**
 * Writes a copy of the package without Update.zip\Prerequisites\VerifyNatsIsRunning.dll. The original is only read;
 * the copy is written under a temporary name and renamed when complete.
 */
export async function writeFixedCopy(source: string, destination: string, signal?: AbortSignal): Promise<FixResult> {
  if (path.resolve(source) === path.resolve(destination)) throw new PackageFileError(source, 'the fixed copy must not replace the original; choose another destination');
  const inspection = await inspectPackage(source, signal);
  if (!inspection.hasVerifyNatsIsRunning) throw new PackageFileError(source, 'has no Update.zip\\Prerequisites\\VerifyNatsIsRunning.dll: there is nothing to fix');
  const partial = `${destination}.partial`;
  try {
    const removed = await withTempDir(async (dir) => {
      const update = await withZip(source, async (zip, entries) => {
        const e = entries.find((x) => UPDATE_ZIP.test(x.fileName)) as yauzl.Entry;
        const tmp = path.join(dir, 'Update.zip');
        await pipeline(await openEntry(zip, e), fs.createWriteStream(tmp), ...(signal ? [{ signal }] : []));
        return { name: e.fileName, tmp };
      });
      checkSignal(signal);
      const fixedUpdate = path.join(dir, 'Update.fixed.zip');
      const n = await rewriteZip(update.tmp, fixedUpdate, (name) => VERIFY_NATS.test(name), new Map(), signal);
      fs.rmSync(update.tmp);
      checkSignal(signal);
      await rewriteZip(source, partial, () => false, new Map([[update.name, fixedUpdate]]), signal);
      return n;
    });
    fs.renameSync(partial, destination);
    return { source, destination, removed };
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
}

/**
 * The package tool the procedure uses: inspection in-process, the fix as a local step running `script` (this file's
 * command line). A bundled host passes the path of its bundled copy of this file.
 */
export function packageToolAt(script: string): PackageTool {
  return {
    inspect: (file, signal) => inspectPackage(file, signal),
    fixCommand(source: string, destination: string): LocalAction {
      // In VS Code's extension host process.execPath is the editor's Electron binary: run it as plain Node.
      return { kind: 'local', argv: [process.execPath, script, 'fix', source, destination], env: { ELECTRON_RUN_AS_NODE: '1' } };
    },
  };
}

/** The tool running this very file (hosts that run from compiled sources, e.g. tests). */
export const localPackageTool: PackageTool = packageToolAt(__filename);

async function main(argv: string[]): Promise<number> {
  const [command, a, b] = argv;
  if (command === 'inspect' && a !== undefined) {
    process.stdout.write(`${JSON.stringify(await inspectPackage(a), null, 2)}\n`);
    return 0;
  }
  if (command === 'fix' && a !== undefined && b !== undefined) {
    const r = await writeFixedCopy(a, b);
    process.stdout.write(`Wrote ${r.destination}: a copy of ${r.source} without Update.zip\\Prerequisites\\VerifyNatsIsRunning.dll (${r.removed} entry removed). The original is unchanged.\n`);
    return 0;
  }
  process.stderr.write('usage: dmupgrade-package inspect <package> | fix <package> <destination>\n');
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
