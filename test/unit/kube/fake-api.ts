// A tiny HTTP server on loopback that answers like an API server would for the cases under test, and a kubeconfig
// pointing at it (http with insecure-skip-tls-verify, which client-node allows), so the adapter's own logic
// (error mapping, paging, adopt, watch resume) is tested without the lab.
import * as http from 'http';
import type { AddressInfo } from 'net';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { KubeClient, kubeClientFor, kubeconfigFiles, loadKubeconfig, TransportOptions } from '../../../src/adapters/kube/index';

export interface Answer {
  status?: number;
  body?: unknown;
  /** Lines written one by one (a watch stream); the response ends after them unless `hold` is set. */
  lines?: unknown[];
  hold?: boolean;
  /** Never answer (for timeouts). */
  silent?: boolean;
}

export type Route = (req: http.IncomingMessage, url: URL, body: string) => Answer | Promise<Answer>;

export class FakeApi {
  readonly requests: Array<{ method: string; url: URL; body: string }> = [];
  connections = 0;
  private readonly server: http.Server;
  private readonly open = new Set<http.ServerResponse>();
  private dir = '';

  constructor(private readonly route: Route) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    this.server.on('connection', () => this.connections++);
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: req.method ?? '', url, body });
    const a = await this.route(req, url, body);
    if (a.silent) {
      this.open.add(res);
      return;
    }
    res.writeHead(a.status ?? 200, { 'Content-Type': 'application/json' });
    if (a.lines) {
      for (const line of a.lines) res.write(`${JSON.stringify(line)}\n`);
      if (a.hold) {
        this.open.add(res);
        return;
      }
    }
    res.end(a.body === undefined ? undefined : JSON.stringify(a.body));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return this;
  }

  /** A client for the context "fake" of a kubeconfig file pointing here. */
  client(options: TransportOptions = {}): KubeClient {
    this.dir ||= mkdtempSync(join(tmpdir(), 'backout-fake-api-'));
    const file = join(this.dir, 'kubeconfig');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'tester', user: { token: 'fake-token' } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'tester' } }],
        'current-context': 'fake',
      }),
    );
    return kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })), 'fake', options);
  }

  /** Ends every response held open (watch streams, silent answers). */
  dropOpen(): void {
    for (const res of this.open) res.destroy();
    this.open.clear();
  }

  async stop(): Promise<void> {
    this.dropOpen();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

export function status(code: number, reason: string, message: string): Answer {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code } };
}
