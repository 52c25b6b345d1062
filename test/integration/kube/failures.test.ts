// How the adapter fails: fast and with the server URL when nothing answers, and with the verb, resource and
// namespace when RBAC says no.
import * as assert from 'assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as https from 'https';
import * as net from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse, stringify } from 'yaml';
import {
  KubeForbiddenError,
  KubeTimeoutError,
  KubeUnreachableError,
  Resources,
  kubeClientFor,
  kubeconfigFiles,
  loadKubeconfig,
} from '../../../src/adapters/kube/index';
import { KubeLab } from '../../../lab/kube/lab';
import { freePort } from '../../../lab/kube/ports';
import { kubeLab, ondatInstalled } from './lab';

interface RawConfig {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  [k: string]: unknown;
}

describe('kube adapter: failures (lab)', function () {
  let lab: KubeLab;
  let dir: string;

  before(async function () {
    lab = await kubeLab();
    dir = mkdtempSync(join(tmpdir(), 'backout-kube-failures-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The lab's kubeconfig with its cluster pointing at `server`. */
  function pointedAt(server: string) {
    const raw = parse(readFileSync(lab.kubeconfig, 'utf8')) as RawConfig;
    raw.clusters = raw.clusters.map((c) => ({ name: c.name, cluster: { ...c.cluster, server } }));
    const file = join(dir, `to-${new URL(server).port}.yaml`);
    writeFileSync(file, stringify(raw));
    return loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } }));
  }

  it('reports a server that refuses connections as unreachable, naming its URL', async function () {
    const server = `https://127.0.0.1:${await freePort()}`;
    const client = kubeClientFor(pointedAt(server), KubeLab.contexts.admin);
    try {
      await assert.rejects(client.list(Resources.pods), (err: unknown) => {
        assert.ok(err instanceof KubeUnreachableError, String(err));
        assert.strictEqual(err.systemCode, 'ECONNREFUSED');
        assert.ok(err.message.includes(server), err.message);
        assert.ok(err.message.includes(KubeLab.contexts.admin));
        return true;
      });
    } finally {
      client.close();
    }
  });

  it('gives up on a server that accepts connections but never completes TLS, within the connect bound', async function () {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const server = `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const client = kubeClientFor(pointedAt(server), KubeLab.contexts.admin, { connectTimeoutMs: 300 });
    try {
      await assert.rejects(client.version(), (err: unknown) => {
        assert.ok(err instanceof KubeUnreachableError, String(err));
        assert.strictEqual(err.systemCode, 'ETIMEDOUT');
        assert.ok(err.message.includes(server), err.message);
        return true;
      });
    } finally {
      client.close();
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    }
  });

  it('times out a request the server accepted but never answers, naming the call and the URL', async function () {
    const hung: Array<() => void> = [];
    const slow = https.createServer({ cert: readFileSync(lab.pki.serverCert), key: readFileSync(lab.pki.serverKey) }, (_req, res) => {
      hung.push(() => res.destroy());
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const server = `https://127.0.0.1:${(slow.address() as net.AddressInfo).port}`;
    const client = kubeClientFor(pointedAt(server), KubeLab.contexts.admin, { requestTimeoutMs: 400 });
    try {
      await assert.rejects(client.list(Resources.pods, { namespace: 'storageos' }), (err: unknown) => {
        assert.ok(err instanceof KubeTimeoutError, String(err));
        assert.ok(err.message.includes(server), err.message);
        assert.match(err.message, /list pods in namespace "storageos"/);
        return true;
      });
    } finally {
      client.close();
      hung.forEach((h) => h());
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });

  it('reports a 403 with the verb, resource and namespace that RBAC denied', async function () {
    await ondatInstalled('current');
    const limited = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })), KubeLab.contexts.limited);
    try {
      await assert.rejects(limited.list(Resources.daemonSets, { namespace: 'storageos' }), (err: unknown) => {
        assert.ok(err instanceof KubeForbiddenError, String(err));
        assert.strictEqual(err.verb, 'list');
        assert.strictEqual(err.resource, 'daemonsets.apps');
        assert.strictEqual(err.namespace, 'storageos');
        assert.match(err.message, /user "backout-limited" may not list daemonsets\.apps in namespace "storageos"/);
        return true;
      });
      await assert.rejects(limited.delete(Resources.storageOSClusters, 'storageoscluster', { namespace: 'storageos' }), (err: unknown) => {
        assert.ok(err instanceof KubeForbiddenError, String(err));
        assert.strictEqual(err.verb, 'delete');
        assert.strictEqual(err.resource, 'storageosclusters.storageos.com');
        return true;
      });
      // What it may do still works.
      const pods = await limited.list(Resources.pods, { namespace: 'storageos' });
      assert.ok(pods.items.length > 0);
    } finally {
      limited.close();
    }
  });
});
