// Processes a test tier leaves behind. Each tier runs with a marker in its environment, which every process it starts
// inherits (labs, code-server, sshd and the per-connection sshd processes it forks); after the tier, whatever still
// carries the marker is named and killed. A leftover that holds the test command's output pipe would otherwise keep
// `npm test | tee` (and CI) waiting after the last tier had ended.
import * as fs from 'fs';

export const MARKER_VARIABLE = 'BACKOUT_TEST_TIER_RUN';

export interface Leftover {
  pid: number;
  command: string;
}

/** Processes whose environment holds MARKER_VARIABLE=marker (Linux /proc; elsewhere none are found). */
export function findMarked(marker: string, exceptPid = process.pid): Leftover[] {
  const needle = `${MARKER_VARIABLE}=${marker}`;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const found: Leftover[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === exceptPid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!environ.includes(needle)) continue;
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
      found.push({ pid, command: command.length > 160 ? `${command.slice(0, 157)}...` : command });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Kills every process still carrying the marker (repeatedly: a dying parent may fork once more) and lists them. */
export async function sweepMarked(marker: string): Promise<Leftover[]> {
  const seen = new Map<number, Leftover>();
  for (let round = 0; round < 5; round++) {
    const now = findMarked(marker);
    if (now.length === 0) break;
    for (const p of now) {
      if (!seen.has(p.pid)) seen.set(p.pid, p);
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return [...seen.values()];
}
