// A local step's job: its command runs under a tiny POSIX sh wrapper that writes, into the attempt's job folder, the
// job's pid (with its kernel start time) before the command starts and its exit code when it ends. The job runs in
// its own process group with its output in files of that folder, so it outlives the process that started it (a run
// host killed, a terminal closed) without dying of a broken pipe, and a later session can tell whether it is still
// running (then wait for it), ended (then read its exit code) or is gone.
//
// The output files hold the command's raw output (it may print a secret) only until the executor has read them into
// the redacted step log; the executor removes them then. The folder is 0700 like the rest of the run folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from '../../core/lines';
import type { JobIdentity } from '../../core/journal';
import type { JobStatus, LineSink } from '../../core/ports';

export const PID_FILE = 'pid';
export const EXIT_FILE = 'exit';
export const NOT_FOUND_FILE = 'not-found';
export const STDOUT_FILE = 'stdout';
export const STDERR_FILE = 'stderr';

/**
 * $1: the job folder; the rest: the command's argv. `command -v` first, so that a command that does not exist is
 * reported as such rather than as exit code 127. Each file is written under a temporary name and renamed, so a
 * reader never sees half of it. `cut -f22` of /proc/$$/stat is the start time (the comm field is "sh", no spaces).
 */
export const WRAPPER = [
  'd=$1; shift',
  'if ! command -v -- "$1" >/dev/null 2>&1; then : > "$d/not-found"; exit 127; fi',
  't=$(cut -d" " -f22 /proc/$$/stat 2>/dev/null)',
  'echo "$$ $t" > "$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"',
  '"$@" > "$d/stdout" 2> "$d/stderr"',
  'c=$?',
  'echo "$c" > "$d/exit.tmp" && mv -f "$d/exit.tmp" "$d/exit"',
  'exit "$c"',
].join('\n');

/** Whether jobs can be wrapped here (POSIX sh); elsewhere the command runs directly and cannot be found again. */
export function canWrapJobs(): boolean {
  return process.platform !== 'win32';
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. Undefined without /proc. */
export function processStartTicks(pid: number): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing parenthesis.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

function hasProc(): boolean {
  return fs.existsSync('/proc/self/stat');
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The identity the wrapper wrote, when the journal does not hold one (the host died before recording it). */
export type LocalJobIdentity = Extract<JobIdentity, { kind: 'local' }>;

export function identityFromFolder(folder: string, host: string): LocalJobIdentity | undefined {
  const text = readText(path.join(folder, PID_FILE));
  if (!text) return undefined;
  const [pidText, ticks] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  return { kind: 'local', host, pid, pgid: pid, ...(ticks ? { startTicks: ticks } : {}) };
}

/**
 * Whether the process the identity names is alive and is that very process: its start time must match, so a pid
 * reused by an unrelated process is not mistaken for the job. pids <= 1 never name a job.
 */
export function isSameProcessAlive(id: LocalJobIdentity): boolean {
  if (id.pid <= 1) return false;
  if (hasProc()) {
    const ticks = processStartTicks(id.pid);
    if (ticks === undefined) return false;
    return id.startTicks === undefined || id.startTicks === ticks;
  }
  try {
    process.kill(id.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where a job stands now: its exit code if it wrote one, else whether its verified process is alive. */
export function inspectLocalJob(folder: string, identity: JobIdentity | undefined, host: string): JobStatus {
  const exit = (): JobStatus | undefined => {
    const text = readText(path.join(folder, EXIT_FILE));
    if (text === undefined) return undefined;
    const code = Number(text.trim());
    if (!Number.isInteger(code)) return undefined;
    return { state: 'exited', exitCode: code, detail: `exit code ${code}, recorded by its job wrapper` };
  };
  const done = exit();
  if (done) return done;
  if (fs.existsSync(path.join(folder, NOT_FOUND_FILE))) return { state: 'exited', exitCode: 127, detail: 'the command was not found' };
  const id: LocalJobIdentity | undefined = identity?.kind === 'local' ? identity : identityFromFolder(folder, host);
  if (!id) return { state: 'gone', detail: 'it left no pid: it never started, or was killed before the wrapper ran' };
  if (id.host !== host) return { state: 'unknown', detail: `it was started on ${id.host}, not on this machine (${host})` };
  if (isSameProcessAlive(id)) return { state: 'running', detail: `pid ${id.pid} is still running` };
  // It may have ended between the two reads.
  return exit() ?? { state: 'gone', detail: `pid ${id.pid} is gone and left no exit code (it was killed)` };
}

/** Signals a job's process group, only after checking that its leader is the very process the identity names. */
export function signalVerifiedJob(id: LocalJobIdentity, signal: NodeJS.Signals): boolean {
  if (id.pid <= 1 || id.pgid <= 1 || !isSameProcessAlive(id)) return false;
  try {
    process.kill(-id.pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Follows a job's output files into a sink, line by line, from where it last stopped. */
export class OutputTail {
  private readonly streams: Array<{ file: string; offset: number; lines: LineSplitter; text: StringDecoder }>;

  constructor(folder: string, sink: LineSink) {
    this.streams = [
      { file: path.join(folder, STDOUT_FILE), offset: 0, lines: new LineSplitter(sink, 'stdout'), text: new StringDecoder('utf8') },
      { file: path.join(folder, STDERR_FILE), offset: 0, lines: new LineSplitter(sink, 'stderr'), text: new StringDecoder('utf8') },
    ];
  }

  /** Reads what was appended since the last call. */
  poll(): void {
    for (const s of this.streams) {
      let fd: number;
      try {
        fd = fs.openSync(s.file, 'r');
      } catch {
        continue;
      }
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (;;) {
          const n = fs.readSync(fd, buf, 0, buf.length, s.offset);
          if (n <= 0) break;
          s.offset += n;
          s.lines.push(s.text.write(buf.subarray(0, n)));
        }
      } finally {
        fs.closeSync(fd);
      }
    }
  }

  /** Reads the rest, emits unterminated last lines, and removes the raw output files (the log holds them now). */
  finish(): void {
    this.poll();
    for (const s of this.streams) {
      s.lines.push(s.text.end());
      s.lines.end();
      fs.rmSync(s.file, { force: true });
    }
  }
}
