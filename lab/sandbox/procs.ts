// Finds the processes that belong to one sandbox by what they carry, not by name: their command line names a file
// in one of the labs' folders (sshd -f <agent lab>/agents/..., etcd --data-dir <state>/kube-lab/...), or their HOME is
// the isolated home code-server and its helpers (and terminals opened in it) get. A user's own shell that merely sits
// in the workspace (PWD), or an editor showing one of its files, is never matched. Linux /proc.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** The command line, arguments joined by spaces (for messages). */
  command: string;
}

function readProc(pid: number): { info: ProcInfo; args: string[]; home: string | undefined } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces or parentheses: parse after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    let home: string | undefined;
    try {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      home = env.find((e) => e.startsWith('HOME='))?.slice(5);
    } catch {
      // Not readable (another user without root): only the command line can tell.
    }
    return { info: { pid, ppid: Number(rest[1]), pgid: Number(rest[2]), command: args.join(' ') }, args, home };
  } catch {
    return undefined; // Gone while we looked, or a kernel thread.
  }
}

function pids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function under(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir + path.sep);
}

/** This process and its ancestors (npm, the shell): their command lines may name the folder and must be spared. */
export function selfAndAncestors(): Set<number> {
  const result = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !result.has(pid)) {
    result.add(pid);
    const p = readProc(pid);
    if (p === undefined) break;
    pid = p.info.ppid;
  }
  return result;
}

export interface Ownership {
  /** Folders only the sandbox's processes name on their command line (the labs' folders). */
  dirs: string[];
  /** The isolated HOME of code-server, its helpers and terminals opened in it. */
  home: string;
}

/**
 * Processes whose command line names something under one of `owned.dirs` (also inside a JSON argument, as the
 * sandbox's own children carry them), or whose HOME is under `owned.home`.
 */
export function processesOf(owned: Ownership, exclude: ReadonlySet<number> = selfAndAncestors()): ProcInfo[] {
  const dirs = owned.dirs.map((d) => path.resolve(d));
  const home = path.resolve(owned.home);
  const found: ProcInfo[] = [];
  for (const pid of pids()) {
    if (exclude.has(pid)) continue;
    const p = readProc(pid);
    if (p === undefined) continue;
    const named = p.args.some((a) => dirs.some((d) => a === d || a.includes(d + path.sep) || a.endsWith(`=${d}`) || a.includes(`"${d}"`)));
    if (named || (p.home !== undefined && under(p.home, home))) found.push(p.info);
  }
  return found;
}

/** Whether a process runs; a zombie (exited, not yet reaped by its parent) does not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
