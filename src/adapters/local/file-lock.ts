// One run per target, as a lock file per target in the user's lock folder (shared by the CLI and the extension
// whatever runs folder each uses). Created with O_EXCL so that exactly one process wins; the file names its holder
// and a random token. A holder on this machine whose process is gone (or whose pid now names another process) is
// stale and taken over. Not re-entrant: a second acquisition is refused even by the process that holds it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TargetLockedError, UnreadableLockError } from '../../core/errors';
import { isStale, parseLockHolder, targetKey, targetLabel, type LockHolder } from '../../core/lock';
import type { TargetRef } from '../../core/plan';
import type { LockHandle, TargetLocks } from '../../core/ports';
import { processStartTicks } from './local-job';

/** What a lock needs to know about this machine: its name and which processes live. */
export interface LockHost {
  hostname: string;
  pidAlive(pid: number): boolean;
  /** A process's start time, to tell a reused pid from the holder (Linux: /proc/<pid>/stat). */
  pidStart?(pid: number): string | undefined;
}

/** This machine, as the CLI and the extension see it. */
export function localLockHost(hostname: string): LockHost {
  return { hostname, pidAlive, pidStart: processStartTicks };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileTargetLocks implements TargetLocks {
  constructor(
    readonly directory: string,
    private readonly here: LockHost,
  ) {}

  lockFile(target: TargetRef): string {
    return path.join(this.directory, `${targetKey(target)}.lock`);
  }

  async acquire(target: TargetRef, requested: LockHolder): Promise<LockHandle> {
    fs.mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    const file = this.lockFile(target);
    const pidStart = requested.pidStart ?? this.here.pidStart?.(requested.pid);
    const holder: LockHolder = {
      ...requested,
      token: randomBytes(16).toString('hex'),
      ...(pidStart !== undefined ? { pidStart } : {}),
      ...(target.endpoints ? { endpoints: target.endpoints } : {}),
    };
    let tookOverFrom: LockHolder | undefined;
    // A few rounds: the lock may be released, or a stale one removed (by us or another process), between tries.
    for (let round = 0; round < 50; round++) {
      if (this.tryCreate(file, holder)) return this.handle(file, holder, tookOverFrom);
      const current = this.read(target, file);
      if (!current) continue; // released between our attempt and the read
      if (!isStale(current, this.here)) throw new TargetLockedError(targetLabel(target), current, file);
      if (this.removeStale(file, current, holder)) tookOverFrom = current;
      else await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
    const current = this.read(target, file);
    if (current) throw new TargetLockedError(targetLabel(target), current, file);
    throw new UnreadableLockError(targetLabel(target), file, 'it keeps changing while being taken');
  }

  /**
   * Removes a stale lock file, unless another process is doing the same: a guard file created exclusively makes
   * the read-check-remove one step, so a process can never remove a lock that another has just taken over.
   */
  private removeStale(file: string, stale: LockHolder, us: LockHolder): boolean {
    const guard = `${file}.takeover`;
    if (!this.tryCreate(guard, us)) {
      // Someone else is taking over. A guard older than a few seconds belongs to a process that died doing it.
      try {
        if (Date.now() - fs.statSync(guard).mtimeMs > 5000) fs.rmSync(guard, { force: true });
      } catch {
        // Gone meanwhile.
      }
      return false;
    }
    try {
      const now = parseLockHolder(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
      if (!now || !sameHolder(now, stale)) return false;
      fs.rmSync(file, { force: true });
      return true;
    } finally {
      fs.rmSync(guard, { force: true });
    }
  }

  async holder(target: TargetRef): Promise<LockHolder | undefined> {
    return this.read(target, this.lockFile(target));
  }

  private tryCreate(file: string, holder: LockHolder): boolean {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    try {
      fs.writeSync(fd, JSON.stringify(holder, null, 2));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  }

  private read(target: TargetRef, file: string): LockHolder | undefined {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const holder = parseLockHolder(text);
    if (!holder) {
      // The creator writes right after creating; give a concurrent creator a moment before calling it damaged.
      const age = Date.now() - fs.statSync(file).mtimeMs;
      if (age < 2000) return { runId: '(being created)', pid: 0, hostname: '(unknown)', user: '', startedAt: new Date().toISOString(), target: targetLabel(target) };
      throw new UnreadableLockError(targetLabel(target), file, 'it is not a lock written by Backout');
    }
    return holder;
  }

  private handle(file: string, holder: LockHolder, tookOverFrom: LockHolder | undefined): LockHandle {
    let released = false;
    return {
      ...(tookOverFrom ? { tookOverFrom } : {}),
      release: async () => {
        if (released) return;
        released = true;
        // Only remove the file if it is still ours.
        const current = parseLockHolder(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
        if (current && sameHolder(current, holder)) fs.rmSync(file, { force: true });
      },
    };
  }
}

/** The same acquisition: by token when both have one (older lock files have none). */
function sameHolder(a: LockHolder, b: LockHolder): boolean {
  if (a.token !== undefined || b.token !== undefined) return a.token === b.token;
  return a.runId === b.runId && a.pid === b.pid && a.hostname === b.hostname;
}
