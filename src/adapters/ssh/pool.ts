// Connections per Agent, reused across commands. Limits that follow sshd's defaults (Windows OpenSSH included):
// fewer channels per connection than MaxSessions (10), and fewer connection setups in flight than MaxStartups (10)
// allows unauthenticated connections; a connection idle for idleCloseMs is closed.
import { connect, Connection, ConnectOptions, RetryOptions } from './connect';
import { AgentEndpoint, describeEndpoint, endpointKey } from './endpoint';
import { ChannelRefusedError, ConnectionLostError, PoolClosedError } from './errors';
import { execOn, ExecOptions, ExecResult } from './exec';
import { uploadOn, UploadOptions } from './upload';

export interface PoolOptions extends ConnectOptions, RetryOptions {
  /** Channels open at once on one connection. Default 8 (sshd's MaxSessions is 10). */
  maxChannelsPerConnection?: number;
  /** Connections to one Agent. Default 2. */
  maxConnectionsPerHost?: number;
  /** Connection setups in flight across all Agents. Default 8 (sshd's MaxStartups starts refusing at 10). */
  maxConcurrentHandshakes?: number;
  /** Close a connection after this long without channels. Default 30 s. */
  idleCloseMs?: number;
}

export interface PoolExecOptions extends ExecOptions {
  /**
   * The command may run twice without harm. Only then is it re-run on a new connection when the connection is lost
   * mid-command; otherwise that fails with ConnectionLostError.
   */
  idempotent?: boolean;
}

interface Pooled {
  conn: Connection;
  active: number;
  limit: number;
  idle?: NodeJS.Timeout;
}

interface HostSlot {
  conns: Pooled[];
  connecting: number;
  waiters: Array<() => void>;
}

class Semaphore {
  private free: number;
  private readonly queue: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.queue.push(r));
  }
  release(): void {
    const next = this.queue.shift();
    if (next !== undefined) next();
    else this.free++;
  }
}

export interface PoolStats {
  connections: number;
  channels: number;
  connectionsOpened: number;
  /** Channels the servers refused (MaxSessions) and that were retried on another slot. */
  channelRefusals: number;
}

export class SshPool {
  private readonly hosts = new Map<string, HostSlot>();
  private readonly handshakes: Semaphore;
  private closed = false;
  private opened = 0;
  private refusals = 0;

  constructor(private readonly options: PoolOptions) {
    this.handshakes = new Semaphore(options.maxConcurrentHandshakes ?? 8);
  }

  private slot(key: string): HostSlot {
    let s = this.hosts.get(key);
    if (s === undefined) {
      s = { conns: [], connecting: 0, waiters: [] };
      this.hosts.set(key, s);
    }
    return s;
  }

  private async acquire(endpoint: AgentEndpoint, signal?: AbortSignal): Promise<Pooled> {
    const key = endpointKey(endpoint);
    const s = this.slot(key);
    for (;;) {
      if (this.closed) throw new PoolClosedError(describeEndpoint(endpoint));
      if (signal?.aborted === true) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      s.conns = s.conns.filter((p) => p.conn.isOpen());
      const free = s.conns.find((p) => p.active < p.limit);
      if (free !== undefined) {
        free.active++;
        if (free.idle !== undefined) clearTimeout(free.idle);
        delete free.idle;
        return free;
      }
      if (s.conns.length + s.connecting < (this.options.maxConnectionsPerHost ?? 2)) {
        s.connecting++;
        let pooled: Pooled;
        try {
          await this.handshakes.acquire();
          try {
            const conn = await connect(endpoint, this.options, signal);
            this.opened++;
            pooled = { conn, active: 1, limit: this.options.maxChannelsPerConnection ?? 8 };
          } finally {
            this.handshakes.release();
          }
        } catch (err) {
          // Let queued callers try for themselves rather than wait for a connection that will not come.
          for (const w of s.waiters.splice(0)) w();
          throw err;
        } finally {
          s.connecting--;
        }
        if (this.closed) {
          pooled.conn.close();
          throw new PoolClosedError(describeEndpoint(endpoint));
        }
        s.conns.push(pooled);
        pooled.conn.closed.then(() => {
          s.conns = s.conns.filter((p) => p !== pooled);
          this.wake(s);
        });
        // Callers that queued while this connection was being set up can now share it.
        for (let i = 1; i < pooled.limit; i++) this.wake(s);
        return pooled;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        s.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  private wake(s: HostSlot): void {
    const w = s.waiters.shift();
    if (w !== undefined) w();
  }

  private release(endpoint: AgentEndpoint, p: Pooled): void {
    p.active--;
    const s = this.slot(endpointKey(endpoint));
    if (p.active === 0 && p.conn.isOpen()) {
      p.idle = setTimeout(() => {
        if (p.active === 0) p.conn.close();
      }, this.options.idleCloseMs ?? 30_000);
      p.idle.unref();
    }
    this.wake(s);
  }

  /** Runs `fn` with a channel slot on a pooled connection to the endpoint. */
  async withConnection<T>(endpoint: AgentEndpoint, fn: (conn: Connection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const p = await this.acquire(endpoint, signal);
    try {
      return await fn(p.conn);
    } finally {
      this.release(endpoint, p);
    }
  }

  /**
   * Runs a command on the Agent. A refused channel (MaxSessions lower than expected) is retried on a narrower
   * connection, since the command never started. A lost connection is retried only for idempotent commands.
   */
  async exec(endpoint: AgentEndpoint, command: string, options: PoolExecOptions = {}): Promise<ExecResult> {
    const agent = describeEndpoint(endpoint);
    let lostRetries = options.idempotent === true ? 1 : 0;
    for (let refusals = 0; ; ) {
      const p = await this.acquire(endpoint, options.signal);
      try {
        return await execOn(p.conn, agent, command, options);
      } catch (err) {
        if (err instanceof ChannelRefusedError && /open failure|open failed/i.test(err.reason) && refusals < 3 && p.conn.isOpen()) {
          refusals++;
          this.refusals++;
          p.limit = Math.max(1, p.active - 1);
          continue;
        }
        if (err instanceof ConnectionLostError && lostRetries > 0) {
          lostRetries--;
          options.sink?.line('info', `connection to ${agent} lost; re-running the idempotent command on a new connection`);
          continue;
        }
        throw err;
      } finally {
        this.release(endpoint, p);
      }
    }
  }

  /** Uploads a local file to an SFTP path on the Agent (see sftpPath() for Windows paths). */
  async upload(endpoint: AgentEndpoint, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<number> {
    return this.withConnection(endpoint, (conn) => uploadOn(conn, describeEndpoint(endpoint), localPath, remotePath, options), options.signal);
  }

  stats(): PoolStats {
    let connections = 0;
    let channels = 0;
    for (const s of this.hosts.values()) {
      for (const p of s.conns) {
        if (!p.conn.isOpen()) continue;
        connections++;
        channels += p.active;
      }
    }
    return { connections, channels, connectionsOpened: this.opened, channelRefusals: this.refusals };
  }

  /** Closes every connection; later calls fail with PoolClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    const all: Pooled[] = [];
    for (const s of this.hosts.values()) {
      all.push(...s.conns);
      for (const w of s.waiters.splice(0)) w();
    }
    for (const p of all) {
      if (p.idle !== undefined) clearTimeout(p.idle);
      p.conn.close();
    }
    await Promise.all(all.map((p) => Promise.race([p.conn.closed, new Promise((r) => setTimeout(r, 1000))])));
    this.hosts.clear();
  }
}
