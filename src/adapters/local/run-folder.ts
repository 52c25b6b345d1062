// Runs on the local file system: one folder per run under the runs root. The journal is appended with synchronous
// writes (so an event is in the OS before the runner goes on, surviving a crash of this process) and made durable
// with fdatasync when the runner asks (before each action starts). A run folder can hold what a step saved from the
// target (manifests, logs with hostnames), so it is private to the user: folders 0700, files 0600.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunNotFoundError } from '../../core/errors';
import type { JobSlot, LogFile, RunRepository, RunStorage } from '../../core/ports';
import { isRunId } from '../../core/run-id';

export const PLAN_FILE = 'plan.json';
export const JOURNAL_FILE = 'journal.jsonl';
export const REPORT_FILE = 'report.md';
export const LOGS_DIR = 'logs';
/** Per attempt of a step instance: what its job wrapper wrote (pid, exit code). */
export const JOBS_DIR = 'jobs';
/** Private to the user who runs Backout (umask may be looser). */
export const FOLDER_MODE = 0o700;
export const FILE_MODE = 0o600;

/** File-name-safe form of a step or instance name (instance names may hold ":" or spaces). */
export function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return s.length > 0 ? s.slice(0, 120) : '_';
}

export interface RunFolderOptions {
  /** fsync the journal when asked (default true). Off only for measuring what durability costs. */
  durable?: boolean;
}

export class RunFolder implements RunStorage {
  readonly journalName: string;
  private journalFd: number | undefined;
  /** Log folders known to exist: a fan-out step creates its folder once, not once per instance. */
  private readonly logDirs = new Set<string>();

  constructor(
    readonly runId: string,
    readonly location: string,
    private readonly options: RunFolderOptions = {},
  ) {
    this.journalName = path.join(location, JOURNAL_FILE);
  }

  async writePlan(json: string): Promise<void> {
    const file = path.join(this.location, PLAN_FILE);
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w', FILE_MODE);
    try {
      fs.writeFileSync(fd, json);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    syncDirectory(this.location);
  }

  async readPlan(): Promise<string> {
    return fs.promises.readFile(path.join(this.location, PLAN_FILE), 'utf8');
  }

  async readJournal(): Promise<string> {
    try {
      return await fs.promises.readFile(this.journalName, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  appendJournal(text: string): void {
    if (this.journalFd === undefined) {
      const existed = fs.existsSync(this.journalName);
      this.journalFd = fs.openSync(this.journalName, 'a', FILE_MODE);
      // The new file's name must survive a power loss too, not only its content (fdatasync covers the content).
      if (!existed) syncDirectory(this.location);
    }
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.journalFd, buf, off, buf.length - off);
  }

  async syncJournal(): Promise<void> {
    if (this.journalFd === undefined || this.options.durable === false) return;
    const fd = this.journalFd;
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  async truncateJournal(bytes: number): Promise<void> {
    if (this.journalFd !== undefined) {
      fs.closeSync(this.journalFd);
      this.journalFd = undefined;
    }
    fs.truncateSync(this.journalName, bytes);
    const fd = fs.openSync(this.journalName, 'r+');
    try {
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  openLog(step: string, instance: string): LogFile {
    const dir = path.join(this.location, LOGS_DIR, safeName(step));
    if (!this.logDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
      this.logDirs.add(dir);
    }
    const fd = fs.openSync(path.join(dir, `${safeName(instance)}.log`), 'a', FILE_MODE);
    let open = true;
    return {
      append(text: string): void {
        if (open) fs.writeSync(fd, text);
      },
      async close(): Promise<void> {
        if (!open) return;
        open = false;
        fs.closeSync(fd);
      },
    };
  }

  jobSlot(step: string, instance: string, attempt: number): JobSlot {
    const folder = path.join(this.location, JOBS_DIR, safeName(step), `${safeName(instance)}.${attempt}`);
    fs.mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
    return { key: `${this.runId}/${step}/${instance}/${attempt}`, folder };
  }

  async readLog(step: string, instance: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(this.logPath(step, instance), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  logPath(step: string, instance: string): string {
    return path.join(this.location, LOGS_DIR, safeName(step), `${safeName(instance)}.log`);
  }

  async writeReport(markdown: string): Promise<string> {
    const file = path.join(this.location, REPORT_FILE);
    await fs.promises.writeFile(file, markdown, { encoding: 'utf8', mode: FILE_MODE });
    return file;
  }

  async close(): Promise<void> {
    if (this.journalFd !== undefined) {
      fs.closeSync(this.journalFd);
      this.journalFd = undefined;
    }
  }
}

/** Makes a rename or a new file in `dir` durable (no-op where directories cannot be opened, e.g. Windows). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot fsync a directory; NTFS journals the metadata itself.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export class RunFolderRepository implements RunRepository {
  constructor(
    readonly root: string,
    private readonly options: RunFolderOptions = {},
  ) {}

  async create(runId: string): Promise<RunStorage> {
    const dir = path.join(this.root, runId);
    fs.mkdirSync(this.root, { recursive: true, mode: FOLDER_MODE });
    // mkdir's mode is filtered by the umask; chmod makes it exactly 0700.
    fs.mkdirSync(dir, { mode: FOLDER_MODE });
    fs.chmodSync(dir, FOLDER_MODE);
    fs.mkdirSync(path.join(dir, LOGS_DIR), { mode: FOLDER_MODE });
    syncDirectory(this.root);
    return new RunFolder(runId, dir, this.options);
  }

  async open(runId: string): Promise<RunFolder> {
    const dir = path.join(this.root, runId);
    if (!isRunId(runId) || !fs.existsSync(path.join(dir, PLAN_FILE))) throw new RunNotFoundError(runId, this.root);
    return new RunFolder(runId, dir, this.options);
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names.filter((n) => isRunId(n) && fs.existsSync(path.join(this.root, n, PLAN_FILE))).sort();
  }
}
