// The login shell of an emulated DataMiner Agent. sshd runs it as `<shell> -c <command line>` (the lab's per-Agent
// wrapper adds `--agent-dir <dir>`); it answers as the Agent's DefaultShell (cmd.exe or PowerShell) would, records
// the call, applies the fault knobs, and exits with the Windows exit code (Linux keeps its low 8 bits).
import * as os from 'node:os';
import { runCmdLine, cmdEnvironment } from './cmd';
import { advance } from './dataminer';
import { powershellScript, PsSession, Io } from './runtime';
import { splitWindowsCommandLine } from './argv';
import { readState, recordCall, withLock, writeState } from './state';
import { serveSftp, SFTP_SUBSYSTEM } from './sftp';
import { runProcess } from './jobs';

function makeIo(): Io {
  return {
    out: (line) => process.stdout.write(line + '\r\n'),
    err: (line) => process.stderr.write(line + '\r\n'),
  };
}

function decodedScript(line: string): string | undefined {
  const m = /powershell(?:\.exe)?\s+(.*?)(?:;\s*exit \$LASTEXITCODE)?\s*$/is.exec(line);
  return m?.[1] === undefined ? undefined : powershellScript(splitWindowsCommandLine(m[1]));
}

function matches(pattern: string | undefined, text: string): boolean {
  return pattern !== undefined && text.toLowerCase().includes(pattern.toLowerCase());
}

async function runCommand(agentDir: string, line: string): Promise<number> {
  const script = decodedScript(line);
  const haystack = `${line}\n${script ?? ''}`;
  const { state, session, failure } = withLock(agentDir, () => {
    const s = readState(agentDir);
    s.sessions += 1;
    let fail: { exitCode: number; stderr: string } | undefined;
    if (s.faults.failNth !== undefined) {
      s.faults.failNth.nth -= 1;
      if (s.faults.failNth.nth <= 0) {
        fail = { exitCode: s.faults.failNth.exitCode, stderr: s.faults.failNth.stderr };
        delete s.faults.failNth;
      }
    }
    writeState(agentDir, s);
    return { state: s, session: s.sessions, failure: fail };
  });
  const record = (extra: Record<string, unknown>): void =>
    recordCall(agentDir, { session, shell: state.defaultShell, line, ...(script === undefined ? {} : { script }), ...extra });

  if ((state.faults.slowMs ?? 0) > 0) await new Promise((r) => setTimeout(r, state.faults.slowMs));
  if (failure !== undefined) {
    record({ fault: 'fail', exitCode: failure.exitCode });
    process.stderr.write(failure.stderr + '\r\n');
    return failure.exitCode;
  }
  if (matches(state.faults.drop, haystack)) {
    record({ fault: 'drop' });
    // The parent is the sshd process serving this session: killing it drops the client's connection.
    process.kill(process.ppid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 60_000));
    return 255;
  }
  if (matches(state.faults.hang, haystack)) {
    record({ fault: 'hang' });
    // Never answers; SIGINT (Ctrl+C through a PTY) or SIGHUP ends it.
    await new Promise((r) => setTimeout(r, 24 * 3600_000));
    return 255;
  }

  advance(agentDir);
  const io = makeIo();
  const code =
    state.defaultShell === 'cmd'
      ? await runCmdLine(agentDir, io, line, cmdEnvironment(state.name, os.userInfo().username))
      : await new PsSession(agentDir, io).run(line);
  advance(agentDir);
  record({ exitCode: code });
  return code;
}

async function interactive(agentDir: string): Promise<number> {
  const state = readState(agentDir);
  const io = makeIo();
  const prompt = state.defaultShell === 'cmd' ? `C:\\Users\\${os.userInfo().username}>` : `PS C:\\Users\\${os.userInfo().username}> `;
  io.out(state.defaultShell === 'cmd' ? 'Microsoft Windows [Version 10.0.20348.2340]' : 'Windows PowerShell');
  process.stdout.write(prompt);
  let buffered = '';
  let last = 0;
  for await (const chunk of process.stdin) {
    buffered += String(chunk);
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      if (/^\s*exit\s*$/i.test(line)) return last;
      last = await runCommand(agentDir, line);
      process.stdout.write(prompt);
    }
  }
  return last;
}

async function main(argv: string[]): Promise<void> {
  const dirIdx = argv.indexOf('--agent-dir');
  const agentDir = argv[dirIdx + 1];
  if (dirIdx < 0 || agentDir === undefined) {
    process.stderr.write('agent emulator: --agent-dir <dir> is required\n');
    process.exitCode = 2;
    return;
  }
  const rest = argv.slice(dirIdx + 2);
  const processIdx = rest.indexOf('--process');
  if (processIdx >= 0) {
    // A process created through WMI (jobs.ts): no SSH session, no console.
    process.exitCode = await runProcess(agentDir, rest[processIdx + 1] ?? '');
    return;
  }
  const cIdx = rest.indexOf('-c');
  const command = cIdx >= 0 ? rest[cIdx + 1] : undefined;
  let code: number;
  if (command === undefined) code = await interactive(agentDir);
  else if (command.trim() === SFTP_SUBSYSTEM) code = await serveSftp(agentDir);
  else code = await runCommand(agentDir, command);
  process.exitCode = code;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`agent emulator internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\r\n`);
  process.exitCode = 255;
});
