// Run ids sort by start time (UTC) and say what ran: 20261122-154501-ondat-a1b2.

export function makeRunId(procedureId: string, at: Date, random: () => number = Math.random): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}-${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`;
  const slug = procedureId.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 32).replace(/^-+|-+$/g, '') || 'run';
  const suffix = Math.floor(random() * 0x10000).toString(16).padStart(4, '0');
  return `${stamp}-${slug}-${suffix}`;
}

const RUN_ID = /^\d{8}-\d{6}-[a-z0-9-]+$/;

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}
