// The job wrapper's commands: a step's command line run on an Agent as a job that outlives the SSH channel and leaves
// a status file a later connection can read (its format is in src/core/remote-job.ts). Rendered through the same
// injection-proof path as every other operation (windows-commands.ts: one -EncodedCommand line, single-quoted
// literals, values checked first).
//
// Why a process created through WMI: Windows OpenSSH puts the process it starts for a session in a job object that
// kills every process of it when that process ends (KILL_ON_JOB_CLOSE; PowerShell/Win32-OpenSSH issues #1195 "by
// design", #2452), so `Start-Process` or cmd's `start` from the session dies with it. A process created by
// Win32_Process.Create is a child of the WMI provider host, outside the session's job (the documented example:
// `Invoke-WmiMethod -Path win32_process -Name create -ArgumentList notepad.exe`, Invoke-WmiMethod reference).
import { REMOTE_JOBS_DIR, remoteJobFiles } from '../../core/remote-job';
import { checkFileName, psLiteral, renderLine, UnsafeCommandValueError, windowsArgument, type DefaultShell, type RenderedCommand } from './windows-commands';

export { REMOTE_JOBS_DIR };

/** The job's own script: records its pid, runs the command with its output in files, records the exit code. */
export function jobScript(jobId: string, line: string, shell: DefaultShell): string {
  const f = remoteJobFiles(checkFileName('job id', jobId));
  // The command runs as its DefaultShell would run it: cmd.exe /s /c "<line>" keeps the line verbatim (/s strips
  // only the outer quotes); a PowerShell line runs as a script file (it may end with `exit $LASTEXITCODE`).
  const start =
    shell === 'cmd'
      ? `-FilePath 'cmd.exe' -ArgumentList ${psLiteral(`/d /s /c "${line}"`)}`
      : `-FilePath 'powershell.exe' -ArgumentList ${psLiteral(`-NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File ${windowsArgument(f.line)}`)}`;
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
export function launchJob(jobId: string, line: string, shell: DefaultShell): RenderedCommand {
  const f = remoteJobFiles(checkFileName('job id', jobId));
  if (line.includes('\u0000')) throw new UnsafeCommandValueError('command line', line, 'contains a NUL character');
  const commandLine = `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File ${windowsArgument(f.script)}`;
  const body = [
    `New-Item -ItemType Directory -Force -Path ${psLiteral(REMOTE_JOBS_DIR)} | Out-Null`,
    `Set-Content -LiteralPath ${psLiteral(f.script)} -Value ${psLiteral(jobScript(jobId, line, shell))}`,
    ...(shell === 'powershell' ? [`Set-Content -LiteralPath ${psLiteral(f.line)} -Value ${psLiteral(line)}`] : []),
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
export function readJob(jobId: string, marker: string, skipOut: number, skipErr: number, shell: DefaultShell): RenderedCommand {
  const f = remoteJobFiles(checkFileName('job id', jobId));
  if (!/^[A-Za-z0-9-]{8,64}$/.test(marker)) throw new UnsafeCommandValueError('marker', marker, 'is not 8 to 64 letters, digits or dashes');
  for (const n of [skipOut, skipErr]) if (!Number.isInteger(n) || n < 0) throw new UnsafeCommandValueError('line count', String(n), 'is not a whole number');
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
export function processStartTime(pid: number, shell: DefaultShell): RenderedCommand {
  if (!Number.isInteger(pid) || pid <= 0) throw new UnsafeCommandValueError('process id', String(pid), 'is not a positive whole number');
  return renderLine('job-process', `Get-Process -Id ${pid} -ErrorAction SilentlyContinue | Select-Object -ExpandProperty StartTime | Get-Date -Format o`, shell);
}

/** Claims the name of a job that left no status file, so that it can never start (fails if the file exists). */
export function abandonJob(jobId: string, shell: DefaultShell): RenderedCommand {
  const f = remoteJobFiles(checkFileName('job id', jobId));
  return renderLine(
    'job-abandon',
    `New-Item -ItemType Directory -Force -Path ${psLiteral(REMOTE_JOBS_DIR)} | Out-Null\nNew-Item -ItemType File -Path ${psLiteral(f.status)} -Value 'abandoned' | Out-Null`,
    shell,
  );
}

/** Removes what an ended job leaves besides its status file (its output may hold anything the command printed). */
export function cleanJob(jobId: string, shell: DefaultShell): RenderedCommand {
  const f = remoteJobFiles(checkFileName('job id', jobId));
  const body = [f.stdout, f.stderr, f.script, f.line].map((p) => `Remove-Item -LiteralPath ${psLiteral(p)} -Force -ErrorAction SilentlyContinue`).join('\n');
  return renderLine('job-clean', body, shell);
}
