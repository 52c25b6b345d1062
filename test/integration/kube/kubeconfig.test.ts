// Kubeconfig as kubectl loads it, against the real API server: several files merged, a context that is not the
// current one, a malformed file, exec credential plugins (present and missing), and proxy-url.
import * as assert from 'assert';
import { createHash } from 'crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'fs';
import * as http from 'http';
import * as net from 'net';
import { tmpdir } from 'os';
import { join, delimiter } from 'path';
import { parse, stringify } from 'yaml';
import {
  KubeconfigError,
  KubeExecPluginError,
  KubeForbiddenError,
  Resources,
  kubeClientFor,
  kubeconfigFiles,
  loadKubeconfig,
} from '../../../src/adapters/kube/index';
import { KubeLab } from '../../../lab/kube/lab';
import { kubeLab } from './lab';

interface RawConfig {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context'?: string;
}

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('kube adapter: kubeconfig as kubectl loads it (lab)', function () {
  let lab: KubeLab;
  let dir: string;
  let raw: RawConfig;

  before(async function () {
    lab = await kubeLab();
    dir = mkdtempSync(join(tmpdir(), 'backout-kubeconfig-'));
    raw = parse(readFileSync(lab.kubeconfig, 'utf8')) as RawConfig;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: Partial<RawConfig>): string {
    const file = join(dir, name);
    writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], ...content }));
    return file;
  }

  it('merges a multi-file KUBECONFIG (cluster, users and contexts in different files) and reaches the server', async function () {
    const clusters = write('clusters.yaml', { clusters: raw.clusters });
    const users = write('users.yaml', { users: raw.users });
    const contexts = write('contexts.yaml', { contexts: raw.contexts, 'current-context': KubeLab.contexts.admin });
    const loaded = loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: [contexts, join(dir, 'absent.yaml'), clusters, users].join(delimiter) } }));
    assert.deepStrictEqual(loaded.missingFiles, [join(dir, 'absent.yaml')]);
    const client = kubeClientFor(loaded, KubeLab.contexts.admin);
    try {
      const version = await client.version();
      assert.strictEqual(version.gitVersion, 'v1.20.2');
      const namespaces = await client.list(Resources.namespaces);
      assert.ok(namespaces.items.some((n) => n.metadata?.name === 'kube-system'));
    } finally {
      client.close();
    }
  });

  it('uses the context it is given, not the current one, and never changes the files', async function () {
    const file = write('all.yaml', { ...raw, 'current-context': KubeLab.contexts.admin });
    const before = sha(file);
    const loaded = loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } }));
    assert.strictEqual(loaded.currentContext, KubeLab.contexts.admin);
    const limited = kubeClientFor(loaded, KubeLab.contexts.limited);
    const admin = kubeClientFor(loaded, KubeLab.contexts.admin);
    try {
      // The limited user may read pods but not DaemonSets: a 403 proves the call used its credentials.
      await limited.list(Resources.pods, { namespace: 'kube-system' });
      await assert.rejects(limited.list(Resources.daemonSets, { namespace: 'kube-system' }), KubeForbiddenError);
      await admin.list(Resources.daemonSets, { namespace: 'kube-system' });
    } finally {
      limited.close();
      admin.close();
    }
    assert.strictEqual(sha(file), before);
    assert.strictEqual(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })).currentContext, KubeLab.contexts.admin);
  });

  it('rejects a malformed kubeconfig with an error that names the file', function () {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'apiVersion: v1\nclusters: [ {name: a, cluster: {server: https://x}\ncontexts: oops\n');
    assert.throws(
      () => loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })),
      (err: unknown) => err instanceof KubeconfigError && err.problem === 'malformed' && err.message.includes(file),
    );
  });

  it('runs an exec credential plugin and authenticates with the token it prints', async function () {
    const loaded = loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } }));
    const client = kubeClientFor(loaded, KubeLab.contexts.exec);
    try {
      const nodes = await client.list(Resources.nodes);
      assert.strictEqual(nodes.items.length, lab.kubelet.nodeNames.length);
    } finally {
      client.close();
    }
  });

  /** A kubeconfig whose exec user runs `script` (a shell script written to the test folder). */
  function withExecPlugin(name: string, script: string): string {
    const plugin = join(dir, name);
    writeFileSync(plugin, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const users = raw.users.map((u) =>
      u.name === 'backout-exec' ? { name: u.name, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin } } } : u,
    );
    return write(`${name}.yaml`, { ...raw, users });
  }

  it('runs an exec plugin once for many requests when its credential does not expire, as kubectl does', async function () {
    const runs = join(dir, 'runs.log');
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: lab.execToken } });
    const file = withExecPlugin('counting-plugin', `echo run >> '${runs}'\nprintf '%s' '${credential}'`);
    const client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })), KubeLab.contexts.exec);
    try {
      await Promise.all([client.version(), client.version(), client.list(Resources.namespaces)]);
      for (let i = 0; i < 5; i++) await client.list(Resources.nodes);
      assert.strictEqual(readFileSync(runs, 'utf8').trim().split('\n').length, 1);
      assert.strictEqual(client.transport.execRuns, 1);
    } finally {
      client.close();
    }
  });

  it('stops an exec plugin that hangs and says so', async function () {
    const file = withExecPlugin('hanging-plugin', 'sleep 30');
    const client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })), KubeLab.contexts.exec, { execTimeoutMs: 300 });
    try {
      await assert.rejects(client.version(), (err: unknown) => {
        assert.ok(err instanceof KubeExecPluginError, String(err));
        assert.match(err.message, /"[^"]*hanging-plugin" of user "backout-exec" did not answer within 300 ms and was stopped/);
        return true;
      });
    } finally {
      client.close();
    }
  });

  it('reports a failing exec plugin with its exit code and error output', async function () {
    const file = withExecPlugin('failing-plugin', "echo 'error: you must be logged in to the server' >&2\nexit 3");
    const client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })), KubeLab.contexts.exec);
    try {
      await assert.rejects(client.version(), (err: unknown) => {
        assert.ok(err instanceof KubeExecPluginError, String(err));
        assert.match(err.message, /failed with exit code 3: error: you must be logged in to the server/);
        return true;
      });
    } finally {
      client.close();
    }
  });

  it('names a missing exec plugin in the error', async function () {
    const users = raw.users.map((u) =>
      u.name === 'backout-exec'
        ? { name: u.name, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'backout-no-such-credential-plugin', installHint: 'Install it from your cloud CLI.' } } }
        : u,
    );
    const file = write('missing-plugin.yaml', { ...raw, users });
    const client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })), KubeLab.contexts.exec);
    try {
      await assert.rejects(client.version(), (err: unknown) => {
        assert.ok(err instanceof KubeExecPluginError, String(err));
        assert.strictEqual(err.command, 'backout-no-such-credential-plugin');
        assert.match(err.message, /"backout-no-such-credential-plugin".*was not found/);
        assert.match(err.message, /Install it from your cloud CLI/);
        assert.ok(err.message.includes(lab.server));
        return true;
      });
    } finally {
      client.close();
    }
  });

  /** An HTTP CONNECT proxy on loopback that records its tunnels; it resolves the name "kubernetes" to 127.0.0.1. */
  async function connectProxy(): Promise<{ url: string; tunnels: string[]; close: () => Promise<unknown> }> {
    const tunnels: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host === 'kubernetes' ? '127.0.0.1' : host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    return { url, tunnels, close: () => new Promise((r) => { proxy.closeAllConnections(); proxy.close(r); }) };
  }

  it('goes through the proxy-url of the cluster, over one kept-alive tunnel', async function () {
    const proxy = await connectProxy();
    const clusters = raw.clusters.map((c) => ({ name: c.name, cluster: { ...c.cluster, 'proxy-url': proxy.url } }));
    const file = write('proxied.yaml', { ...raw, clusters });
    const client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })), KubeLab.contexts.admin);
    try {
      for (let i = 0; i < 10; i++) await client.version();
      assert.strictEqual(proxy.tunnels.length, 1, `tunnels opened: ${proxy.tunnels.join(', ')}`);
      assert.strictEqual(proxy.tunnels[0], new URL(lab.server).host);
    } finally {
      client.close();
      await proxy.close();
    }
  });

  it('goes through HTTPS_PROXY when the cluster has no proxy-url, as kubectl does', async function () {
    const proxy = await connectProxy();
    // A host name the certificate carries and only the proxy resolves: the request can only succeed through it.
    const server = `https://kubernetes:${new URL(lab.server).port}`;
    const clusters = raw.clusters.map((c) => ({ name: c.name, cluster: { ...c.cluster, server } }));
    const file = write('env-proxied.yaml', { ...raw, clusters });
    const client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })), KubeLab.contexts.admin, {
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com' },
    });
    try {
      assert.strictEqual((await client.version()).gitVersion, 'v1.20.2');
      assert.deepStrictEqual(proxy.tunnels, [`kubernetes:${new URL(lab.server).port}`]);
    } finally {
      client.close();
      await proxy.close();
    }
  });
});
