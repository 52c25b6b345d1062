// Opens one authenticated SSH connection to an endpoint, through its jump hosts (ProxyJump: each hop is a full SSH
// connection whose direct-tcpip channel carries the next), with the host key of every hop verified before
// authenticating, Nagle's algorithm off (see notes: ~45 ms per command otherwise) and keepalives on.
import { Client } from 'ssh2';
import type { ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2';
import type { Duplex } from 'node:stream';
import { AuthOptions, authHandler } from './auth';
import { AgentEndpoint, describeEndpoint, HopEndpoint, knownHostsName } from './endpoint';
import { AuthenticationFailedError, ConnectFailedError, ConnectionThrottledError, SshError } from './errors';
import { HandshakeTimer } from './handshake-timer';
import { HostKeyVerifier } from './host-key';

export interface ConnectOptions extends AuthOptions {
  hostKeys: HostKeyVerifier;
  /** Keepalive probe interval; the connection counts as lost after `keepaliveCountMax` unanswered probes. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Time allowed from TCP connect to authenticated, not counting time spent waiting for a person's answer. Default 20 s. */
  readyTimeoutMs?: number;
}

export interface Connection {
  readonly client: Client;
  /** Resolves with the reason once the connection (or any hop under it) is closed. */
  readonly closed: Promise<string>;
  isOpen(): boolean;
  close(): void;
}

/** sshd dropped the connection before the SSH handshake (MaxStartups); safe to retry, nothing was sent. */
export class PreHandshakeDrop extends Error {}

function connectOne(agent: string, hop: HopEndpoint, options: ConnectOptions, sock: Duplex | undefined, signal?: AbortSignal): Promise<Client> {
  return new Promise<Client>((resolve, reject) => {
    const client = new Client();
    const name = knownHostsName(hop.host, hop.port);
    const label = agent;
    let hostKeyError: unknown;
    let handshaken = false;
    let settled = false;
    const tried: string[] = [];
    const timer = new HandshakeTimer(options.readyTimeoutMs ?? 20_000, () =>
      fail(new ConnectFailedError(label, `no authenticated session within ${Math.round((options.readyTimeoutMs ?? 20_000) / 1000)} s of connecting (time spent answering prompts not counted)`)),
    );
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      timer.stop();
      signal?.removeEventListener('abort', onAbort);
      client.end();
      reject(err);
    };
    const onAbort = (): void => fail(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const preferred = options.hostKeys.preferredKeyTypes(name);
    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      // ssh2's timer would run on while a prompt is open: HandshakeTimer above stops while a person answers.
      readyTimeout: 0,
      keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        timer.whileWaiting(() => options.hostKeys.verify(label, name, key, signal)).then(
          () => verify(true),
          (err: unknown) => {
            hostKeyError = err;
            verify(false);
          },
        );
      },
      authHandler: authHandler(agent, hop, options, tried, signal, (task) => timer.whileWaiting(task)),
      ...(preferred.length > 0 ? { algorithms: { serverHostKey: { prepend: preferred as ServerHostKeyAlgorithm[], append: [], remove: [] } } } : {}),
      ...(sock === undefined ? {} : { sock: sock as unknown as NonNullable<ConnectConfig['sock']> }),
    };
    client.on('handshake', () => {
      handshaken = true;
    });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      timer.stop();
      signal?.removeEventListener('abort', onAbort);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (hostKeyError !== undefined) return fail(hostKeyError);
      if (err.level === 'client-authentication') return fail(new AuthenticationFailedError(label, tried));
      if (!handshaken && (/before handshake/i.test(err.message) || err.code === 'ECONNRESET')) return fail(new PreHandshakeDrop(err.message));
      fail(new ConnectFailedError(label, err.code === undefined ? err.message : `${err.code} ${err.message}`));
    });
    client.on('close', () => {
      if (hostKeyError !== undefined) return fail(hostKeyError);
      if (!handshaken) return fail(new PreHandshakeDrop('connection closed before handshake'));
      fail(new ConnectFailedError(label, 'the server closed the connection during authentication'));
    });
    client.connect(config);
    timer.start();
    // The socket exists once connect() has been called.
    client.setNoDelay(true);
  });
}

function forwardOut(client: Client, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err === undefined || err === null ? resolve(stream) : reject(err)));
  });
}

/** One connection attempt through all hops. */
async function attempt(endpoint: AgentEndpoint, options: ConnectOptions, signal?: AbortSignal): Promise<Connection> {
  const agent = describeEndpoint(endpoint);
  const clients: Client[] = [];
  try {
    let sock: Duplex | undefined;
    const hops: HopEndpoint[] = [...endpoint.jumps, endpoint];
    for (const [i, hop] of hops.entries()) {
      const last = i === hops.length - 1;
      const label = last ? agent : `${agent} via jump host ${hop.user}@${hop.host}:${hop.port}`;
      const client = await connectOne(label, hop, options, sock, signal);
      clients.push(client);
      if (!last) {
        const next = hops[i + 1] as HopEndpoint;
        try {
          sock = await forwardOut(client, next.host, next.port);
        } catch (err) {
          throw new ConnectFailedError(label, `the jump host refused to forward to ${next.host}:${next.port} (${(err as Error).message})`);
        }
      }
    }
  } catch (err) {
    for (const c of clients.reverse()) c.end();
    throw err;
  }
  const client = clients[clients.length - 1] as Client;
  let open = true;
  let resolveClosed: (reason: string) => void = () => undefined;
  const closed = new Promise<string>((r) => (resolveClosed = r));
  const onGone = (reason: string): void => {
    if (!open) return;
    open = false;
    for (const c of clients) c.end();
    resolveClosed(reason);
  };
  for (const c of clients) {
    c.on('error', (err: Error) => onGone(err.message));
    c.on('close', () => onGone('the connection was closed by the server or the network'));
  }
  return {
    client,
    closed,
    isOpen: () => open,
    close: () => onGone('closed by Backout'),
  };
}

export interface RetryOptions {
  /** Attempts when sshd drops the connection before the handshake (MaxStartups). Default 6. */
  attempts?: number;
  /** First back-off; doubles per attempt, with jitter. Default 150 ms. */
  backoffMs?: number;
}

/** Connects, retrying only the pre-handshake drops MaxStartups causes; those are reported as such when retries run out. */
export async function connect(endpoint: AgentEndpoint, options: ConnectOptions & RetryOptions, signal?: AbortSignal): Promise<Connection> {
  const attempts = Math.max(1, options.attempts ?? 6);
  for (let i = 1; ; i++) {
    try {
      return await attempt(endpoint, options, signal);
    } catch (err) {
      if (!(err instanceof PreHandshakeDrop)) throw err;
      if (i >= attempts) throw new ConnectionThrottledError(describeEndpoint(endpoint), i);
      const delay = (options.backoffMs ?? 150) * 2 ** (i - 1) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
      if (signal?.aborted === true) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    }
  }
}

export function isSshError(err: unknown): err is SshError {
  return err instanceof SshError;
}
