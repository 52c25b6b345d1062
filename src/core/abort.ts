// AbortSignal combinators that work on Node 18.15 (VS Code 1.82's runtime), which lacks AbortSignal.any.
import type { Clock } from './ports';

export interface LinkedSignal {
  signal: AbortSignal;
  /** Detaches the listeners; call when the operation is over so long runs do not accumulate them. */
  dispose(): void;
}

/** A signal aborted as soon as any of the inputs is, with that input's reason. */
export function anySignal(signals: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController();
  const cleanups: Array<() => void> = [];
  const dispose = (): void => {
    while (cleanups.length > 0) cleanups.pop()?.();
  };
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      dispose();
      controller.abort(s.reason);
      break;
    }
    const onAbort = (): void => {
      dispose();
      controller.abort(s.reason);
    };
    s.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => s.removeEventListener('abort', onAbort));
  }
  return { signal: controller.signal, dispose };
}

export class TimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${formatDuration(timeoutMs)}`);
    this.name = 'TimeoutError';
  }
}

// Aborting without a reason builds a DOMException with a stack each time; disposal is routine, so give one.
const DISPOSED = Object.freeze({ disposed: true });

/** A signal aborted with a TimeoutError after `ms` on the given clock, unless disposed first. */
export function timeoutSignal(ms: number, clock: Clock): LinkedSignal {
  const controller = new AbortController();
  const stop = new AbortController();
  clock.sleep(ms, stop.signal).then(
    () => controller.abort(new TimeoutError(ms)),
    () => undefined,
  );
  return { signal: controller.signal, dispose: () => stop.abort(DISPOSED) };
}

export function isTimeout(reason: unknown): reason is TimeoutError {
  return reason instanceof TimeoutError;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${m} min` : `${m} min ${s} s`;
}

/** A pause that ends early, without error, when the signal aborts: the caller checks the signal and stops itself. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
