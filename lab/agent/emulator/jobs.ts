// What an Agent needs for Backout's job wrapper (src/procedures/dataminer/job-commands.ts), emulated faithfully:
// - Invoke-WmiMethod -Class Win32_Process -Name Create: the process is created outside the SSH session (its parent is
//   the WMI provider host), so it survives the session's job object being closed (PowerShell/Win32-OpenSSH #1195,
//   #2452; Invoke-WmiMethod reference, example "create a process"). Here: a detached process in a session of its own,
//   which neither the sshd session's death nor a hang-up reaches. Its pid is the ProcessId WMI returns.
// - Start-Process -RedirectStandardOutput/-RedirectStandardError -Wait -PassThru: the program's output goes to the
//   files as it is written (Start-Process reference), and ExitCode is the program's.
// - Get-Process -Id: the process's StartTime, or nothing for a pid that is not running.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitWindowsCommandLine } from './argv';
import { cmdEnvironment, runCmdLine } from './cmd';
import { recordEffect } from './effects';
import type { Io } from './runtime';
import { hostPath, readState, recordCall } from './state';

/** pids of the jobs this Agent created, one a line: the lab stops those still running when it stops. */
export const JOB_PIDS = 'jobs.pids';

/** Win32_Process.Create: returns ProcessId and ReturnValue (0 = created; 9 = path not found, per the WMI docs). */
export function createProcess(agentDir: string, commandLine: string): { ProcessId: number | null; ReturnValue: number } {
  const argv = splitWindowsCommandLine(commandLine);
  const exe = (argv[0] ?? '').toLowerCase();
  if (exe !== 'powershell.exe' && exe !== 'powershell' && exe !== 'cmd.exe' && exe !== 'cmd') return { ProcessId: null, ReturnValue: 9 };
  const emulator = process.argv[1] as string;
  const child = spawn(process.execPath, [emulator, '--agent-dir', agentDir, '--process', commandLine], { detached: true, stdio: 'ignore' });
  child.unref();
  if (child.pid === undefined) return { ProcessId: null, ReturnValue: 8 };
  fs.appendFileSync(path.join(agentDir, JOB_PIDS), `${child.pid}\n`);
  recordCall(agentDir, { wmiCreate: commandLine, processId: child.pid });
  return { ProcessId: child.pid, ReturnValue: 0 };
}

/** A process's start time from /proc (when the pid is alive and not a zombie), as Get-Process reports StartTime. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    if (state === 'Z' || state === 'X') return undefined;
    return new Date(fs.statSync(`/proc/${pid}`).ctimeMs).toISOString();
  } catch {
    return undefined;
  }
}

/** Output of a redirected program: appended to its file line by line, as a console program's writes arrive. */
function fileIo(agentDir: string, stdoutPath: string | undefined, stderrPath: string | undefined): Io {
  const open = (p: string | undefined): ((line: string) => void) => {
    const local = p === undefined ? undefined : hostPath(agentDir, p);
    if (local === undefined) return () => undefined;
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, '');
    return (line) => fs.appendFileSync(local, line + '\r\n');
  };
  return { out: open(stdoutPath), err: open(stderrPath) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs cmd.exe or powershell.exe with its output in files (Start-Process -Redirect...). The Agent's `hang` fault
 * applies here too: a job whose command matches never ends, like the command it stands for.
 */
export async function runRedirected(agentDir: string, file: string, argLine: string, stdoutPath: string | undefined, stderrPath: string | undefined): Promise<number | undefined> {
  const lower = file.toLowerCase();
  const io = fileIo(agentDir, stdoutPath, stderrPath);
  const state = readState(agentDir);
  const pattern = state.faults.hang;
  if (pattern !== undefined && decodedText(argLine).toLowerCase().includes(pattern.toLowerCase())) {
    recordCall(agentDir, { job: argLine, fault: 'hang' });
    await sleep(24 * 3600_000);
    return 255;
  }
  if (lower === 'cmd.exe' || lower === 'cmd') {
    // cmd /d /s /c "<line>": /s strips the outer quotes and runs the rest as typed.
    const m = /^\s*\/d\s+\/s\s+\/c\s+"(.*)"\s*$/is.exec(argLine);
    if (m?.[1] === undefined) {
      io.err('The emulated cmd.exe takes /d /s /c "<line>" only.');
      return 1;
    }
    return runCmdLine(agentDir, io, m[1], cmdEnvironment(state.name, 'job'));
  }
  if (lower === 'powershell.exe' || lower === 'powershell') {
    const { powershellExe } = await import('./runtime');
    return powershellExe(agentDir, io, splitWindowsCommandLine(argLine));
  }
  return undefined;
}

/** The text a fault pattern is matched against: the line, and any -EncodedCommand script inside it, decoded. */
function decodedText(line: string): string {
  const m = /-EncodedCommand\s+([A-Za-z0-9+/=]+)/i.exec(line);
  return m?.[1] === undefined ? line : `${line}\n${Buffer.from(m[1], 'base64').toString('utf16le')}`;
}

/** Entry of a process WMI created: runs its command line, then ends (its exit code is its own). */
export async function runProcess(agentDir: string, commandLine: string): Promise<number> {
  // Its own session: a hang-up of whatever started it does not reach it.
  process.on('SIGHUP', () => undefined);
  const argv = splitWindowsCommandLine(commandLine);
  const exe = (argv[0] ?? '').toLowerCase();
  const io: Io = { out: () => undefined, err: () => undefined };
  if (exe === 'powershell.exe' || exe === 'powershell') {
    const { powershellExe } = await import('./runtime');
    return powershellExe(agentDir, io, argv.slice(1));
  }
  const rest = commandLine.slice(commandLine.toLowerCase().indexOf(exe) + exe.length);
  return (await runRedirected(agentDir, 'cmd.exe', rest, undefined, undefined)) ?? 1;
}

/** The lab's programs take this long before and after their effect, so a test can interrupt a step inside it. */
export async function programDelay(agentDir: string): Promise<void> {
  const ms = readState(agentDir).faults.programMs ?? 0;
  if (ms > 0) await sleep(ms);
}

export { recordEffect };
