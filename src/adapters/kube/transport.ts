// One context's HTTP transport to its API server: credentials from client-node (certificates, tokens, exec plugins,
// proxies), a keep-alive agent, bounded timeouts, cancellation, and API errors turned into typed errors.
import * as http from 'http';
import * as https from 'https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ExecCredentialSource } from './exec-credential';
import {
  KubeApiError,
  KubeConflictError,
  KubeForbiddenError,
  KubeGoneError,
  KubeNotFoundError,
  KubeTarget,
  KubeTimeoutError,
  KubeUnauthorizedError,
  KubeUnreachableError,
} from './errors';
import { KeepAliveAgents, useKeepAliveAgents } from './keep-alive';

export interface TransportOptions {
  /** Bound on opening a connection (TCP + TLS); an unreachable cluster fails after this. Default 5 s. */
  connectTimeoutMs?: number;
  /** Bound on a whole ordinary request (not watches and log streams). Default 30 s. */
  requestTimeoutMs?: number;
  /** Bound on an exec credential plugin; it is killed after it. Default 60 s. */
  execTimeoutMs?: number;
  /** Connections per context. Default 8. */
  maxSockets?: number;
}

/** What a call does, in RBAC's words, for error messages. */
export interface CallDescription {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
}

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Overrides requestTimeoutMs for this call; for streams it bounds only the wait for the response headers. */
  timeoutMs?: number;
  call: CallDescription;
}

interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

class Deadline extends Error {
  constructor(readonly phase: 'connect' | 'response') {
    super(phase);
  }
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

class StaleConnection extends Error {
  constructor(readonly error: unknown) {
    super('stale keep-alive connection');
  }
}

function describe(call: CallDescription): string {
  const obj = call.name ? ` ${call.resource}/${call.name}` : ` ${call.resource}`;
  return `${call.verb}${obj}${call.namespace ? ` in namespace "${call.namespace}"` : ''}`;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted by the kubeconfig',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain is not trusted by the kubeconfig',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not trusted by the kubeconfig',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not match the server address',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
};

/** Credentials from an exec plugin, written into the context's in-memory user before each request. */
export interface ExecAuth {
  source: ExecCredentialSource;
  /** The in-memory copy of the kubeconfig user (without its exec section) that client-node reads. */
  user: { token?: string; certData?: string; keyData?: string };
}

export class KubeTransport {
  private readonly agents: KeepAliveAgents;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly kc: KubeConfig,
    readonly target: KubeTarget,
    options: TransportOptions = {},
    private readonly execAuth?: ExecAuth,
  ) {
    this.agents = useKeepAliveAgents(kc, options.maxSockets ?? 8);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Agents created so far: 1 when every request reused the context's pool. */
  get agentsCreated(): number {
    return this.agents.created;
  }

  close(): void {
    this.agents.destroy();
  }

  async json<T>(req: KubeRequest): Promise<T> {
    const text = await this.text(req);
    return (text.length ? JSON.parse(text) : undefined) as T;
  }

  async text(req: KubeRequest): Promise<string> {
    const res = await this.send(req, false);
    return res.body ?? '';
  }

  /** Resolves once the response headers of a 2xx answer arrived; the caller reads (and destroys) the stream. */
  async stream(req: KubeRequest): Promise<http.IncomingMessage> {
    const res = await this.send(req, true);
    return res.stream as http.IncomingMessage;
  }

  /** Exec plugin runs so far (0 or 1 while the credential is valid). */
  get execRuns(): number {
    return this.execAuth?.source.runs ?? 0;
  }

  private async credentials(signal: AbortSignal | undefined): Promise<https.RequestOptions> {
    if (this.execAuth) {
      const { source, user } = this.execAuth;
      const credential = await raceAbort(source.get(), signal);
      user.token = credential.token;
      // client-node reads certData/keyData as base64; the plugin gives PEM.
      user.certData = credential.clientCertificateData ? Buffer.from(credential.clientCertificateData).toString('base64') : undefined;
      user.keyData = credential.clientKeyData ? Buffer.from(credential.clientKeyData).toString('base64') : undefined;
    }
    const opts: https.RequestOptions = {};
    try {
      await raceAbort(this.kc.applyToHTTPSOptions(opts), signal);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      // Certificate files that cannot be read, auth providers that fail (OIDC, Azure, GCP).
      throw new KubeUnauthorizedError(this.target, `could not prepare the credentials: ${(err as Error).message}`);
    }
    return opts;
  }

  private async send(req: KubeRequest, streaming: boolean): Promise<{ body?: string; stream?: http.IncomingMessage }> {
    try {
      return await this.sendOnce(req, streaming);
    } catch (err) {
      // An exec credential the server no longer accepts (revoked, expired early): run the plugin again, once.
      if (err instanceof KubeUnauthorizedError && this.execAuth) {
        this.execAuth.source.invalidate();
        return this.sendOnce(req, streaming);
      }
      // A kept-alive connection the server closed meanwhile (e.g. it restarted) fails on first use; a GET or DELETE
      // is safe to send again once on a fresh connection.
      if (err instanceof StaleConnection && (req.method === 'GET' || req.method === 'DELETE')) return this.sendOnce(req, streaming);
      throw err instanceof StaleConnection ? err.error : err;
    }
  }

  private async sendOnce(req: KubeRequest, streaming: boolean): Promise<{ body?: string; stream?: http.IncomingMessage }> {
    if (req.signal?.aborted) throw req.signal.reason;
    const opts = await this.credentials(req.signal);
    const url = new URL(this.target.server.replace(/\/+$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = req.body === undefined ? undefined : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
    const headers: http.OutgoingHttpHeaders = { ...(opts.headers as http.OutgoingHttpHeaders | undefined), Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const timeoutMs = req.timeoutMs ?? this.requestTimeoutMs;
    const what = describe(req.call);

    return new Promise((resolve, reject) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        req.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const fail = (err: unknown): void =>
        finish(() => {
          const mapped = this.networkError(err, what, timeoutMs, req.signal);
          const code = (err as NodeJS.ErrnoException).code;
          const stale = request.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE') && !req.signal?.aborted;
          reject(stale ? new StaleConnection(mapped) : mapped);
        });
      const onAbort = (): void => {
        request.destroy(req.signal?.reason instanceof Error ? req.signal.reason : new Error('aborted'));
      };
      const lib = url.protocol === 'http:' ? http : https;
      const request = lib.request(url, { method: req.method, agent: opts.agent, headers, auth: opts.auth }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300 && streaming) {
          finish(() => resolve({ stream: res }));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) finish(() => resolve({ body }));
          else finish(() => reject(this.apiError(status, body, req.call, what)));
        });
      });
      request.on('error', fail);
      request.on('socket', (socket) => {
        // A reused keep-alive socket is already connected; a new one must connect within the bound.
        if (socket.connecting) {
          const t = setTimeout(() => request.destroy(new Deadline('connect')), this.connectTimeoutMs);
          timers.push(t);
          const clear = (): void => clearTimeout(t);
          socket.once(url.protocol === 'http:' ? 'connect' : 'secureConnect', clear);
        }
      });
      timers.push(setTimeout(() => request.destroy(new Deadline('response')), timeoutMs));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      request.end(payload);
    });
  }

  private networkError(err: unknown, what: string, timeoutMs: number, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason;
    if (err instanceof Deadline) {
      return err.phase === 'connect'
        ? new KubeUnreachableError(this.target, `no connection within ${this.connectTimeoutMs / 1000} s`, 'ETIMEDOUT')
        : new KubeTimeoutError(this.target, what, timeoutMs);
    }
    if (err instanceof Error && 'code' in err) {
      const code = String((err as NodeJS.ErrnoException).code);
      return new KubeUnreachableError(this.target, NETWORK_REASONS[code] ?? `${err.message}`, code);
    }
    return new KubeUnreachableError(this.target, err instanceof Error ? err.message : String(err));
  }

  private apiError(status: number, body: string, call: CallDescription, what: string): Error {
    let parsed: KubeStatus | undefined;
    try {
      const value: unknown = JSON.parse(body);
      if (typeof value === 'object' && value !== null) parsed = value as KubeStatus;
    } catch {
      // Not JSON: a proxy or load balancer answered, not the API server.
    }
    parsed ??= { message: body.trim().slice(0, 500) || http.STATUS_CODES[status] };
    const message = parsed.message ?? http.STATUS_CODES[status] ?? 'no message';
    switch (status) {
      case 401:
        return new KubeUnauthorizedError(this.target, message);
      case 403:
        return new KubeForbiddenError(this.target, call.verb, call.resource, call.namespace, message);
      case 404:
        return new KubeNotFoundError(this.target, what, message);
      case 409:
        return new KubeConflictError(this.target, parsed.reason ?? 'Conflict', what, message);
      case 410:
        return new KubeGoneError(this.target, what, message);
      default:
        return new KubeApiError(this.target, status, parsed.reason ?? http.STATUS_CODES[status] ?? 'Error', what, message);
    }
  }
}
