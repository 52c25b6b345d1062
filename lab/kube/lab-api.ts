// The lab's own small REST client for setting up objects fast (one keep-alive TLS connection pool, bounded
// concurrency). It is independent of src/adapters/kube on purpose: the lab must not share the bugs it helps find.
import * as https from 'https';
import { readFileSync } from 'fs';
import { LabPki } from './pki';

export interface LabObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** kind -> [plural, namespaced] for every kind the lab creates. */
const KINDS: Record<string, [string, boolean]> = {
  Namespace: ['namespaces', false],
  Node: ['nodes', false],
  Pod: ['pods', true],
  Service: ['services', true],
  ServiceAccount: ['serviceaccounts', true],
  Secret: ['secrets', true],
  ConfigMap: ['configmaps', true],
  PersistentVolumeClaim: ['persistentvolumeclaims', true],
  PersistentVolume: ['persistentvolumes', false],
  Deployment: ['deployments', true],
  DaemonSet: ['daemonsets', true],
  StatefulSet: ['statefulsets', true],
  StorageClass: ['storageclasses', false],
  CustomResourceDefinition: ['customresourcedefinitions', false],
  ClusterRole: ['clusterroles', false],
  ClusterRoleBinding: ['clusterrolebindings', false],
  Role: ['roles', true],
  RoleBinding: ['rolebindings', true],
  StorageOSCluster: ['storageosclusters', true],
  EtcdCluster: ['etcdclusters', true],
  Lease: ['leases', true],
};

export function objectPath(obj: Pick<LabObject, 'apiVersion' | 'kind'> & { metadata: { namespace?: string } }, name?: string): string {
  const entry = KINDS[obj.kind];
  if (!entry) throw new Error(`lab-api: unknown kind ${obj.kind}`);
  const [plural, namespaced] = entry;
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const ns = namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
  return `${base}${ns}/${plural}${name ? `/${name}` : ''}`;
}

export class LabApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class LabApi {
  private readonly agent: https.Agent;

  constructor(
    readonly server: string,
    pki: LabPki,
    cert: 'admin' | 'limited' = 'admin',
  ) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: readFileSync(pki.caCert),
      cert: readFileSync(cert === 'admin' ? pki.adminCert : pki.limitedCert),
      key: readFileSync(cert === 'admin' ? pki.adminKey : pki.limitedKey),
    });
  }

  request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = https.request(
        `${this.server}${path}`,
        {
          method,
          agent: this.agent,
          timeout: 60_000,
          headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve((text ? JSON.parse(text) : undefined) as T);
            else reject(new LabApiError(status, `${method} ${path}: ${status} ${text.slice(0, 300)}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Creates the object; one that already exists is left as it is (fixtures are applied idempotently). */
  async create(obj: LabObject): Promise<void> {
    try {
      await this.request('POST', objectPath(obj), obj);
    } catch (err) {
      if (!(err instanceof LabApiError && err.status === 409)) throw err;
    }
  }

  async createAll(objects: LabObject[], concurrency = 12): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < objects.length) await this.create(objects[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.request('GET', path);
      return true;
    } catch (err) {
      if (err instanceof LabApiError && err.status === 404) return false;
      throw err;
    }
  }

  /** Polls `check` until it is true or the deadline passes. */
  async until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`lab: ${what} did not happen within ${timeoutMs} ms`);
  }

  close(): void {
    this.agent.destroy();
  }
}
