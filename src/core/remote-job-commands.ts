// The job wrapper's commands: a step's command line run on an Agent as a job that outlives the SSH channel and leaves
// a status file a later connection can read (its format is in remote-job.ts). Rendered the way every Agent operation
// is (core/dataminer/windows-commands.ts): the operation is a PowerShell script passed base64-encoded (UTF-16LE)
// through `powershell.exe -EncodedCommand`, so the line holds only fixed words and [A-Za-z0-9+/=] whichever
// AgentShell (cmd.exe or PowerShell) reads it, and every value inside is a single-quoted literal (the catalogue's
// psLiteral/windowsArgument/renderLine in core/dataminer/windows-commands.ts).
//
// Why a process created through WMI: Windows OpenSSH puts the process it starts for a session in a job object that
// kills every process of it when that process ends (KILL_ON_JOB_CLOSE; PowerShell/Win32-OpenSSH issues #1195 "by
// design", #2452), so `Start-Process` or cmd's `start` from the session dies with it. A process created by
// Win32_Process.Create is a child of the WMI provider host, outside the session's job (the documented example:
// `Invoke-WmiMethod -Path win32_process -Name create -ArgumentList notepad.exe`, Invoke-WmiMethod reference).
import { MAX_COMMAND_LINE, psLiteral, renderLine as renderAgentLine, UnsafeCommandValueError, windowsArgument as catalogueArgument, type DefaultShell, type RenderedCommand } from './dataminer/windows-commands';
import { REMOTE_JOBS_DIR, remoteJobFiles } from './remote-job';

/** Which shell Windows OpenSSH hands the command line to on the Agent. */
export type AgentShell = DefaultShell;

/** cmd.exe refuses longer command lines. */
export const MAX_AGENT_COMMAND_LINE = MAX_COMMAND_LINE;

export class RemoteJobCommandError extends Error {
  constructor(
    readonly what: string,
    readonly rule: string,
  ) {
    super(`Cannot run this step as a job on the Agent: ${what} ${rule}.`);
    this.name = 'RemoteJobCommandError';
  }
}

export type RenderedJobCommand = RenderedCommand;

/** The catalogue's rendering, with its refusals reported as this step's job that cannot be wrapped. */
function renderLine(operation: string, body: string, shell: AgentShell): RenderedJobCommand {
  try {
    return renderAgentLine(operation, body, shell);
  } catch (err) {
    if (err instanceof UnsafeCommandValueError) throw new RemoteJobCommandError(`the command line of ${operation}`, `${err.rule}; the step's command is too long to wrap`);
    throw err;
  }
}

/** One path argument for the job's process (the job files' paths never hold a double quote). */
function windowsArgument(arg: string): string {
  if (arg.includes('"')) throw new RemoteJobCommandError(`the path ${arg}`, 'contains a double quote');
  return catalogueArgument(arg);
}

function checkJobId(jobId: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(jobId) || /^\.|\.$/.test(jobId)) throw new RemoteJobCommandError(`the job id ${JSON.stringify(jobId)}`, 'is not a plain file name');
  return jobId;
}

/**
 * The script a rendered line carries (`powershell.exe <fixed flags> -EncodedCommand <base64>`, as either shell gets
 * it), or undefined for any other line. Running that script from a file is what the line does, and keeps the wrapper
 * short: the base64 of a base64 would pass cmd.exe's limit for ordinary operations.
 */
export function encodedScript(line: string): string | undefined {
  const m = /^(?:& )?powershell\.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -InputFormat None -EncodedCommand ([A-Za-z0-9+/]+={0,2})(?:; exit \$LASTEXITCODE)?$/.exec(line);
  return m?.[1] === undefined ? undefined : Buffer.from(m[1], 'base64').toString('utf16le');
}

/** What the job runs, and the script it needs written to its .line.ps1 file first (if any). */
function jobCommand(jobId: string, line: string, shell: AgentShell): { start: string; file?: string } {
  const f = remoteJobFiles(checkJobId(jobId));
  const script = encodedScript(line) ?? (shell === 'powershell' ? line : undefined);
  // A PowerShell script (a rendered operation, or any line a PowerShell DefaultShell would read) runs from a file;
  // any other line runs as cmd.exe runs it: /s strips only the outer quotes and keeps the line verbatim.
  if (script === undefined) return { start: `-FilePath 'cmd.exe' -ArgumentList ${psLiteral(`/d /s /c "${line}"`)}` };
  return { start: `-FilePath 'powershell.exe' -ArgumentList ${psLiteral(`-NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File ${windowsArgument(f.line)}`)}`, file: script };
}

/** The job's own script: records its pid, runs the command with its output in files, records the exit code. */
export function jobScript(jobId: string, line: string, shell: AgentShell): string {
  const f = remoteJobFiles(checkJobId(jobId));
  const { start } = jobCommand(jobId, line, shell);
  return [
    "$ErrorActionPreference = 'Stop'",
    `$s = ${psLiteral(f.status)}`,
    'Write-Output $PID | Add-Content -LiteralPath $s',
    `$p = Start-Process ${start} -RedirectStandardOutput ${psLiteral(f.stdout)} -RedirectStandardError ${psLiteral(f.stderr)} -NoNewWindow -Wait -PassThru`,
    'Write-Output $p.ExitCode | Add-Content -LiteralPath $s',
    'exit $p.ExitCode',
  ].join('\n');
}

/**
 * Starts the job: writes its script, creates the status file with the start time (refused if it exists: one attempt
 * never starts twice), creates the process through WMI, prints its pid, exits with WMI's return value (0 = created).
 */
export function launchJob(jobId: string, line: string, shell: AgentShell): RenderedJobCommand {
  const f = remoteJobFiles(checkJobId(jobId));
  if (line.includes('\u0000')) throw new RemoteJobCommandError('the command line', 'contains a NUL character');
  const command = jobCommand(jobId, line, shell);
  const commandLine = `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File ${windowsArgument(f.script)}`;
  const body = [
    `New-Item -ItemType Directory -Force -Path ${psLiteral(REMOTE_JOBS_DIR)} | Out-Null`,
    `Set-Content -LiteralPath ${psLiteral(f.script)} -Value ${psLiteral(jobScript(jobId, line, shell))}`,
    ...(command.file !== undefined ? [`Set-Content -LiteralPath ${psLiteral(f.line)} -Value ${psLiteral(command.file)}`] : []),
    '$t = Get-Date -Format o',
    `New-Item -ItemType File -Path ${psLiteral(f.status)} -Value $t | Out-Null`,
    `$r = Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList ${psLiteral(commandLine)}`,
    'Write-Output $r.ProcessId',
    'exit $r.ReturnValue',
  ].join('\n');
  return renderLine('job-launch', body, shell);
}

/**
 * The status file (after "True"/"False" for whether it exists), then, after `marker`, the job's stdout from line
 * `skipOut` on, then after `marker` again its stderr from line `skipErr` on. `marker` is chosen per read, so output
 * cannot fake it.
 */
export function readJob(jobId: string, marker: string, skipOut: number, skipErr: number, shell: AgentShell): RenderedJobCommand {
  const f = remoteJobFiles(checkJobId(jobId));
  if (!/^[A-Za-z0-9-]{8,64}$/.test(marker)) throw new RemoteJobCommandError(`the marker ${marker}`, 'is not 8 to 64 letters, digits or dashes');
  for (const n of [skipOut, skipErr]) if (!Number.isInteger(n) || n < 0) throw new RemoteJobCommandError(`the line count ${n}`, 'is not a whole number');
  const body = [
    `Test-Path -LiteralPath ${psLiteral(f.status)}`,
    `Get-Content -LiteralPath ${psLiteral(f.status)} -ErrorAction SilentlyContinue`,
    `Write-Output ${psLiteral(marker)}`,
    `Get-Content -LiteralPath ${psLiteral(f.stdout)} -ErrorAction SilentlyContinue | Select-Object -Skip ${skipOut}`,
    `Write-Output ${psLiteral(marker)}`,
    `Get-Content -LiteralPath ${psLiteral(f.stderr)} -ErrorAction SilentlyContinue | Select-Object -Skip ${skipErr}`,
  ].join('\n');
  return renderLine('job-read', body, shell);
}

/** The start time (ISO 8601) of the process with this id, or nothing when there is none. */
export function processStartTime(pid: number, shell: AgentShell): RenderedJobCommand {
  if (!Number.isInteger(pid) || pid <= 0) throw new RemoteJobCommandError(`the process id ${pid}`, 'is not a positive whole number');
  return renderLine('job-process', `Get-Process -Id ${pid} -ErrorAction SilentlyContinue | Select-Object -ExpandProperty StartTime | Get-Date -Format o`, shell);
}

/** Claims the name of a job that left no status file, so that it can never start (fails if the file exists). */
export function abandonJob(jobId: string, shell: AgentShell): RenderedJobCommand {
  const f = remoteJobFiles(checkJobId(jobId));
  return renderLine(
    'job-abandon',
    `New-Item -ItemType Directory -Force -Path ${psLiteral(REMOTE_JOBS_DIR)} | Out-Null\nNew-Item -ItemType File -Path ${psLiteral(f.status)} -Value 'abandoned' | Out-Null`,
    shell,
  );
}

/** Removes what an ended job leaves besides its status file (its output may hold anything the command printed). */
export function cleanJob(jobId: string, shell: AgentShell): RenderedJobCommand {
  const f = remoteJobFiles(checkJobId(jobId));
  const body = [f.stdout, f.stderr, f.script, f.line].map((p) => `Remove-Item -LiteralPath ${psLiteral(p)} -Force -ErrorAction SilentlyContinue`).join('\n');
  return renderLine('job-clean', body, shell);
}
