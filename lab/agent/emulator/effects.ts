// The Agent's append-only record of every state-changing action it performed (upgrade, uninstall, install, stop,
// start, file write): one line each, `<ISO time> <pid> <kind> <detail>`, in <agentDir>/effects.log. Tests count
// lines in it to prove an action happened exactly once, whatever was interrupted on the way.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type EffectKind = 'upgrade' | 'uninstall' | 'install' | 'stop' | 'start' | 'backup' | 'file-write';

export const EFFECTS_FILE = 'effects.log';

export interface Effect {
  time: string;
  pid: number;
  kind: EffectKind;
  detail: string;
}

export function recordEffect(agentDir: string, kind: EffectKind, detail: string): void {
  // One write call per line with O_APPEND: lines of concurrent sessions never interleave.
  fs.appendFileSync(path.join(agentDir, EFFECTS_FILE), `${new Date().toISOString()} ${process.pid} ${kind} ${detail.replace(/[\r\n]+/g, ' ')}\n`);
}

/** The newline-terminated lines of an append-only file; a last line still being written is left for the next read. */
export function completeLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((l) => l !== '');
}

export function readEffects(agentDir: string): Effect[] {
  const file = path.join(agentDir, EFFECTS_FILE);
  if (!fs.existsSync(file)) return [];
  return completeLines(fs.readFileSync(file, 'utf8')).map((l) => {
    const [time, pid, kind, ...rest] = l.split(' ');
    return { time: time as string, pid: Number(pid), kind: kind as EffectKind, detail: rest.join(' ') };
  });
}
