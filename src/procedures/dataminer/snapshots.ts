// Reading a hypervisor's snapshot list and picking the snapshot to restore: the newest one taken before the upgrade
// ("A snapshot must be created before you start an update … as shortly before the upgrade as possible").
// One parser serves every preset: each snapshot is a line with a creation time (ISO 8601, or `YYYY-MM-DD hh:mm:ss`
// with an optional `+hhmm` offset as virsh and qm print it) and a name before it (after it for date-first formats).
// Times without an offset are taken as UTC.

export interface Snapshot {
  name: string;
  /** ISO 8601 in UTC. */
  createdAt: string;
  /** The VM's state the snapshot holds, when the listing shows it (virsh does): reverting restores it. */
  state?: 'running' | 'off';
}

function stateOf(text: string): Snapshot['state'] {
  if (/\brunning\b/i.test(text)) return 'running';
  if (/\bshut ?off\b|\bstopped\b|\bpoweredOff\b/i.test(text)) return 'off';
  return undefined;
}

const DATE = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s?(Z|[+-]\d{2}:?\d{2})?/;

/** Milliseconds since the epoch for one of the accepted time forms; undefined when there is none. */
export function parseTime(text: string): number | undefined {
  const m = DATE.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000));
  if (zone !== undefined && zone !== 'Z') {
    const z = zone.replace(':', '');
    const sign = z.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

const TREE = /^[\s`|+\\>-]+/;
const CSV_NOISE = /["]/g;

function cleanName(text: string): string {
  return text.replace(CSV_NOISE, '').replace(/,+\s*$/, '').replace(/^\s*,+/, '').replace(TREE, '').trim();
}

export function parseSnapshotListing(text: string): Snapshot[] {
  const out: Snapshot[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = DATE.exec(line);
    if (m === null) continue;
    const ms = parseTime(m[0]);
    if (ms === undefined) continue;
    let name = cleanName(line.slice(0, m.index));
    if (name === '') name = cleanName(line.slice(m.index + m[0].length)).split(/\s{2,}/)[0] ?? '';
    if (name === '' || /^current$/i.test(name)) continue;
    const state = stateOf(line.slice(m.index + m[0].length));
    out.push({ name, createdAt: new Date(ms).toISOString(), ...(state ? { state } : {}) });
  }
  return out;
}

/** The newest snapshot taken strictly before `before` (ISO or any accepted form); undefined when none is. */
export function newestBefore(snapshots: readonly Snapshot[], before: string): Snapshot | undefined {
  const limit = parseTime(before);
  if (limit === undefined) return undefined;
  return snapshots
    .filter((s) => Date.parse(s.createdAt) < limit)
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
}
