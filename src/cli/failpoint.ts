// Fault injection for the crash-torture tier (test/integration/torture): BACKOUT_TEST_KILL_AT_EVENT="<n>:<SIGNAL>"
// makes the run host send itself SIGNAL (SIGKILL, SIGTERM or SIGHUP) right after writing its n-th journal event of
// this session: a crash at an exact journal boundary, which no observer outside the process could time. Unset (as
// always outside that tier), it does nothing.
import type { JournalEvent } from '../core/journal';

const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGHUP'] as const;
type KillSignal = (typeof SIGNALS)[number];

export function killAtEvent(env: Readonly<Record<string, string | undefined>>): ((event: JournalEvent) => void) | undefined {
  const spec = env.BACKOUT_TEST_KILL_AT_EVENT;
  if (!spec) return undefined;
  const [n, sig] = spec.split(':');
  const at = Number(n);
  if (!Number.isInteger(at) || at < 1 || !(SIGNALS as readonly string[]).includes(sig ?? '')) {
    throw new Error(`BACKOUT_TEST_KILL_AT_EVENT must be "<event number>:SIGKILL|SIGTERM|SIGHUP"; got "${spec}".`);
  }
  let seen = 0;
  return () => {
    seen++;
    if (seen === at) process.kill(process.pid, sig as KillSignal);
  };
}
