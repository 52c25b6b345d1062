// Labs started by integration tests register how to stop themselves here; global.ts runs these once mocha is done,
// so that one lab serves every suite of the run and is always stopped, also when a suite fails.
//
// Each teardown is bounded: one that never settles (a server whose close() waits for a connection nobody ends) would
// otherwise hold mocha after the last test until CI's time ran out. It is reported by where it was registered, the
// remaining teardowns still run, and the tier fails.
const TEARDOWN_LIMIT_MS = 60_000;

interface Teardown {
  fn: () => Promise<void> | void;
  /** The test file and line that registered it, for the report of one that hangs or throws. */
  origin: string;
}

const teardowns: Teardown[] = [];

export function registerTeardown(fn: () => Promise<void> | void): void {
  teardowns.push({ fn, origin: callerOf(new Error().stack) });
}

function callerOf(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').slice(1).map((l) => l.trim());
  const outside = frames.find((f) => !f.includes('teardown.'));
  return outside?.replace(/^at\s+/, '') ?? 'unknown';
}

export async function runTeardowns(limitMs = TEARDOWN_LIMIT_MS): Promise<void> {
  while (teardowns.length > 0) {
    const t = teardowns.pop();
    if (!t) break;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), limitMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(t.fn).then(() => 'done' as const), expired]);
      if (outcome === 'expired') {
        console.error(`teardown registered at ${t.origin} did not finish within ${limitMs / 1000} s; going on without it`);
        process.exitCode = 1;
      }
    } catch (err) {
      console.error(`teardown registered at ${t.origin} failed:`, err);
      process.exitCode = 1;
    } finally {
      clearTimeout(timer);
    }
  }
}
