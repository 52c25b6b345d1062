// One run per target. The lock itself is a file (see the local adapter); this holds what a lock says and the
// decisions about it, which are pure and tested here.
import type { TargetRef } from './plan';

export interface LockHolder {
  runId: string;
  pid: number;
  hostname: string;
  user: string;
  startedAt: string;
  target: string;
}

/** File-name-safe key of a target: its kind and name. */
export function targetKey(target: Pick<TargetRef, 'kind' | 'name'>): string {
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
export function isStale(holder: LockHolder, here: { hostname: string; pidAlive(pid: number): boolean }): boolean {
  return holder.hostname === here.hostname && !here.pidAlive(holder.pid);
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
    };
  } catch {
    return undefined;
  }
}
