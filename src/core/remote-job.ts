// The contract of a step's job on a remote endpoint (an Agent): its name there, what its status file says, and what
// that means for a resume. The wrapper that writes the file is rendered by the procedures' command catalogue and run by
// the SSH adapter; this file only holds what every side must agree on, so the runner and the adapter need nothing else.
//
// The status file holds one value per line, each written by a different party at a different moment:
//   1. the time the launcher started the job (ISO 8601), written BEFORE the job's process is created;
//   2. the job's process id, written by the job itself before it runs the command;
//   3. the command's exit code, written by the job after the command ended.
// So: no file = it never started; line 1 only = being created, or the creation failed; line 2 = started (alive or
// killed: the process decides); line 3 = ended with that code. A later session that finds no file claims the name by
// creating the file itself with the single line `abandoned` (creation fails if the file exists, on both sides), so a
// launcher of the interrupted session that arrives late cannot start the job after the resume decided it never ran.
export const ABANDONED = 'abandoned';
import type { JobStatus } from './ports';

/** Names a job on its endpoint: the run, step, instance and attempt, as a file name Windows accepts. */
export function remoteJobId(slotKey: string): string {
  const parts = slotKey.split('/');
  // A run id, step id and instance are [A-Za-z0-9._-] in practice; anything else is replaced so the name stays a
  // valid file name, and a short hash of the original keeps two keys that differ only there apart.
  const clean = parts.map((p) => p.replace(/[^A-Za-z0-9._-]/g, '_')).join('.');
  return clean === parts.join('.') ? clean : `${clean}.${fnv(slotKey)}`;
}

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** What a status file says, parsed. */
export interface RemoteJobRecord {
  exists: boolean;
  /** A later session claimed the name: this attempt never ran and never will. */
  abandoned?: boolean;
  /** When the launcher started it (ms since the epoch). */
  startedAt?: number;
  pid?: number;
  exitCode?: number;
}

export class RemoteJobStatusError extends Error {
  constructor(
    readonly file: string,
    readonly why: string,
  ) {
    super(`The job status file ${file} on the Agent is not readable as Backout writes it (${why}). Look at the file, then decide with --if-interrupted.`);
    this.name = 'RemoteJobStatusError';
  }
}

/** Parses the status file's lines (already split; empty lines ignored). */
export function parseJobStatus(file: string, exists: boolean, lines: readonly string[]): RemoteJobRecord {
  if (!exists) return { exists: false };
  const values = lines.map((l) => l.trim()).filter((l) => l !== '');
  const record: RemoteJobRecord = { exists: true };
  const [time, pid, code] = values;
  if (time === ABANDONED && values.length === 1) return { exists: true, abandoned: true };
  if (time !== undefined) {
    const at = Date.parse(time);
    if (Number.isNaN(at)) throw new RemoteJobStatusError(file, `line 1 is not a time: ${JSON.stringify(time)}`);
    record.startedAt = at;
  }
  if (pid !== undefined) {
    if (!/^\d+$/.test(pid)) throw new RemoteJobStatusError(file, `line 2 is not a process id: ${JSON.stringify(pid)}`);
    record.pid = Number(pid);
  }
  if (code !== undefined) {
    // Windows exit codes are 32-bit; PowerShell prints the signed value (e.g. -1073741819).
    if (!/^-?\d+$/.test(code)) throw new RemoteJobStatusError(file, `line 3 is not an exit code: ${JSON.stringify(code)}`);
    record.exitCode = Number(code) >>> 0;
  }
  if (values.length > 3) throw new RemoteJobStatusError(file, `it has ${values.length} lines, expected at most 3`);
  return record;
}

/** A process the endpoint reports under the job's pid, with its start time (ms since the epoch). */
export interface RemoteProcess {
  pid: number;
  startedAt: number;
}

/**
 * The job's pid names the job only if that process started around when the launcher created it: a pid reused by a
 * later process (after a reboot) must not be taken for the job. The launcher writes its time just before creating the
 * process, so the process starts after it; a little slack covers clocks read by different programs.
 */
export const PROCESS_START_SLACK_MS = 2_000;
/** How long after the launcher's time a job may take to write its pid (a loaded Agent starting powershell.exe). */
export const PID_GRACE_MS = 60_000;

/** Where a job stands, from its status file, the process found under its pid (if looked up), and the time now. */
export function decideRemoteJob(record: RemoteJobRecord, process: RemoteProcess | undefined, now: number, where: string): JobStatus {
  if (!record.exists) return { state: 'not-started', detail: `no job status on ${where}: the command never started` };
  if (record.abandoned === true) return { state: 'not-started', detail: `its job on ${where} was marked abandoned before it started: the command never ran` };
  if (record.exitCode !== undefined) return { state: 'exited', exitCode: record.exitCode, detail: `exit code ${record.exitCode}, recorded on ${where} by its job wrapper` };
  if (record.pid === undefined) {
    if (record.startedAt !== undefined && now - record.startedAt < PID_GRACE_MS) return { state: 'running', detail: `its job on ${where} is being created` };
    return { state: 'unknown', detail: `its job on ${where} was launched but never recorded a process: it may not have started, or started and was stopped` };
  }
  const same = process !== undefined && process.pid === record.pid && (record.startedAt === undefined || process.startedAt >= record.startedAt - PROCESS_START_SLACK_MS);
  if (same) return { state: 'running', detail: `process ${record.pid} on ${where} is still running it` };
  return { state: 'unknown', detail: `process ${record.pid} on ${where} is gone and recorded no exit code (stopped, or the Agent restarted)` };
}

/** Where jobs keep their files on an Agent: ProgramData is machine-wide and survives the session's user profile. */
export const REMOTE_JOBS_DIR = 'C:\\ProgramData\\Backout\\jobs';

/** The files of one job on an Agent, all named by its id. */
export function remoteJobFiles(jobId: string): { status: string; stdout: string; stderr: string; script: string; line: string } {
  const base = `${REMOTE_JOBS_DIR}\\${jobId}`;
  return { status: `${base}.status`, stdout: `${base}.out`, stderr: `${base}.err`, script: `${base}.ps1`, line: `${base}.line.ps1` };
}
