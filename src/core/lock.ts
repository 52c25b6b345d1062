// One run per target. The lock itself is a file (see the local adapter); this holds what a lock says and the
// decisions about it, which are pure and tested here.
import { createHash } from 'node:crypto';
import type { TargetRef } from './plan';

export interface LockHolder {
  runId: string;
  pid: number;
  hostname: string;
  user: string;
  startedAt: string;
  target: string;
  /**
   * Random, one per acquisition: the lock is this holder's only while the file holds this token. A second
   * acquisition by the same process for the same run is a different holder, so the lock is not re-entrant.
   */
  token?: string;
  /** The holder process's start time as the OS tells it (/proc/<pid>/stat), so a reused pid is not taken for it. */
  pidStart?: string;
  /** The resolved endpoints the lock stands for (see TargetRef.endpoints). */
  endpoints?: string[];
}

/**
 * File-name-safe key of a target. From its resolved endpoints when known (the same Agents or cluster under another
 * name is the same target); a target that reaches nothing outside this machine is known by its kind and name.
 */
export function targetKey(target: Pick<TargetRef, 'kind' | 'name' | 'endpoints'>): string {
  if (target.endpoints && target.endpoints.length > 0) {
    const digest = createHash('sha256').update([...new Set(target.endpoints)].sort().join('\n')).digest('hex');
    return `endpoints-${digest.slice(0, 32)}`;
  }
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${clean(target.kind)}--${clean(target.name)}`;
}

export function targetLabel(target: Pick<TargetRef, 'kind' | 'name'>): string {
  return `${target.kind} ${target.name}`;
}

/**
 * Whether a lock's holder is certainly gone: only decidable on the same machine, where a missing pid means the
 * holder died without releasing it. A holder on another host is never presumed dead.
 */
export function isStale(holder: LockHolder, here: { hostname: string; pidAlive(pid: number): boolean; pidStart?(pid: number): string | undefined }): boolean {
  if (holder.hostname !== here.hostname) return false;
  if (holder.pid <= 1 || !here.pidAlive(holder.pid)) return true;
  // Alive, but a different process under the same pid: the holder is gone.
  const now = holder.pidStart !== undefined ? here.pidStart?.(holder.pid) : undefined;
  return now !== undefined && now !== holder.pidStart;
}

export function parseLockHolder(text: string): LockHolder | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    if (typeof o.runId !== 'string' || typeof o.pid !== 'number' || typeof o.hostname !== 'string' || typeof o.startedAt !== 'string') {
      return undefined;
    }
    return {
      runId: o.runId,
      pid: o.pid,
      hostname: o.hostname,
      startedAt: o.startedAt,
      user: typeof o.user === 'string' ? o.user : '',
      target: typeof o.target === 'string' ? o.target : '',
      ...(typeof o.token === 'string' ? { token: o.token } : {}),
      ...(typeof o.pidStart === 'string' ? { pidStart: o.pidStart } : {}),
      ...(Array.isArray(o.endpoints) ? { endpoints: o.endpoints.filter((e): e is string => typeof e === 'string') } : {}),
    };
  } catch {
    return undefined;
  }
}
