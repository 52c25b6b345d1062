// Runs one command on an open connection: stdout and stderr go to the sink line by line as they arrive; the exit
// code comes back in full (32 bits: Windows reports e.g. 1605 or 3010); a timeout or an AbortSignal stops the command.
// Only a command run with a PTY can really be stopped: Ctrl+C goes to it through the terminal, and closing the
// channel hangs the terminal up. Without a PTY, closing the channel leaves the remote process running (see notes).
import type { ClientChannel } from 'ssh2';
import type { LineSink } from '../../core/ports';
import type { Connection } from './connect';
import { ChannelRefusedError, CommandCancelledError, CommandTimeoutError, ConnectionLostError } from './errors';
import { LineSplitter } from './lines';

export interface ExecOptions {
  /** Receives every line of stdout and stderr as it arrives. */
  sink?: LineSink;
  /** Stop the command after this long (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Run in a pseudo-terminal so that cancel and timeout stop the remote process. The terminal merges stderr into
   * stdout, so everything arrives as 'stdout'.
   */
  pty?: boolean;
  /** Bytes of stdout and of stderr kept in the result (default 1 MiB each; 0 keeps none). */
  captureBytes?: number;
  /** How the command is named in errors and logs (default: the command line, shortened). */
  label?: string;
  /** Grace after Ctrl+C before the terminal is hung up, and after that before giving up on the channel. */
  stopGraceMs?: number;
}

export interface ExecResult {
  /** Unsigned 32-bit exit status (Windows: 0xC0000005 = 3221225477). -1 when the process died of a signal. */
  exitCode: number;
  /** Signal name when the remote process was killed by one. */
  exitSignal?: string;
  stdout: string;
  stderr: string;
  /** Whether capture stopped at captureBytes. */
  truncated: boolean;
  durationMs: number;
}

export function shorten(command: string): string {
  return command.length > 120 ? `${command.slice(0, 117)}...` : command;
}

/** Windows shows exit codes above 0x7FFFFFFF as negative numbers (e.g. -1073741819). */
export function signedExitCode(code: number): number {
  return code | 0;
}

class Capture {
  private readonly parts: string[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  add(line: string): void {
    if (this.size >= this.limit) {
      this.truncated = this.truncated || this.limit > 0;
      return;
    }
    this.parts.push(line);
    this.size += line.length + 1;
  }
  text(): string {
    return this.parts.join('\n');
  }
}

interface Opened {
  stream: ClientChannel;
  /** Filled by a listener attached in the exec callback itself: ssh2 can emit 'exit' in the same tick as it hands the
   * channel over (a fast command's exit-status arriving with the exec reply), before any awaiting code runs. */
  exit: { code?: number | null; signal?: string };
}

function openExec(conn: Connection, agent: string, command: string, pty: boolean): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const opts = pty ? { pty: { term: 'dumb', cols: 200, rows: 50, width: 0, height: 0, modes: {} } } : {};
    try {
      conn.client.exec(command, opts, (err, stream) => {
        if (err !== undefined && err !== null) {
          if (/channel open failure|open failed/i.test(err.message)) reject(new ChannelRefusedError(agent, err.message));
          else if (!conn.isOpen() || /not connected|no response/i.test(err.message)) reject(new ConnectionLostError(agent, shorten(command), err.message));
          else reject(new ChannelRefusedError(agent, err.message));
          return;
        }
        const opened: Opened = { stream, exit: {} };
        stream.on('exit', (code: number | null, signal?: string) => {
          opened.exit.code = code;
          if (signal !== undefined) opened.exit.signal = signal;
        });
        resolve(opened);
      });
    } catch (err) {
      reject(new ConnectionLostError(agent, shorten(command), (err as Error).message));
    }
  });
}

export async function execOn(conn: Connection, agent: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
  const label = options.label ?? shorten(command);
  const started = Date.now();
  if (options.signal?.aborted === true) throw new CommandCancelledError(agent, label, true);
  const pty = options.pty === true;
  const { stream, exit } = await openExec(conn, agent, command, pty);
  const limit = options.captureBytes ?? 1024 * 1024;
  const out = new Capture(limit);
  const err = new Capture(limit);
  const sink = options.sink;
  const stdout = new LineSplitter((l) => {
    out.add(l);
    sink?.line('stdout', l);
  });
  const stderr = new LineSplitter((l) => {
    err.add(l);
    sink?.line('stderr', l);
  });
  const grace = options.stopGraceMs ?? 1500;

  return new Promise<ExecResult>((resolve, reject) => {
    const exitCode = (): number | undefined => (exit.code === undefined ? undefined : typeof exit.code === 'number' ? exit.code >>> 0 : -1);
    let stopping: 'timeout' | 'cancel' | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const stop = (why: 'timeout' | 'cancel'): void => {
      if (stopping !== undefined || settled) return;
      stopping = why;
      if (pty) {
        stream.write('\x03'); // Ctrl+C through the terminal: SIGINT to the foreground process
        timers.push(setTimeout(() => stream.close(), grace)); // hang-up: SIGHUP
      } else {
        // Honoured by OpenSSH for non-root users only; Windows OpenSSH ignores signals. Then close the channel.
        try {
          stream.signal('TERM');
        } catch {
          // the channel may already be closing
        }
        stream.close();
      }
      timers.push(setTimeout(() => finish(() => reject(stopError(why, false))), grace * 3));
    };
    const stopError = (why: 'timeout' | 'cancel', stoppedRemote: boolean): Error =>
      why === 'timeout' ? new CommandTimeoutError(agent, label, options.timeoutMs ?? 0, stoppedRemote) : new CommandCancelledError(agent, label, stoppedRemote);
    const onAbort = (): void => stop('cancel');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));

    stream.on('data', (chunk: Buffer) => stdout.push(chunk));
    stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    stream.on('close', () => {
      stdout.end();
      stderr.end();
      if (stopping !== undefined) {
        // With a PTY the process got SIGINT/SIGHUP; the channel closing means its session ended.
        finish(() => reject(stopError(stopping as 'timeout' | 'cancel', pty)));
        return;
      }
      const code = exitCode();
      if (code === undefined) {
        // No exit status: give the connection's own close a moment to arrive so the error says why.
        setTimeout(() => finish(() => reject(new ConnectionLostError(agent, label, conn.isOpen() ? 'the channel closed without an exit status' : 'the connection closed'))), 50);
        return;
      }
      const result: ExecResult = {
        exitCode: code,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        durationMs: Date.now() - started,
        ...(exit.signal === undefined ? {} : { exitSignal: exit.signal }),
      };
      finish(() => resolve(result));
    });
    conn.closed.then((reason) => {
      if (exitCode() === undefined) finish(() => reject(stopping !== undefined ? stopError(stopping, false) : new ConnectionLostError(agent, label, reason)));
    });
  });
}
