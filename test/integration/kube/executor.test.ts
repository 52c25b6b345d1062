// The kube executor runs the Ondat procedure's operations against the lab, with the outputs and exit statuses of
// the contract (src/procedures/ondat/kube-operations.ts).
import * as assert from 'assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import type { KubeAction } from '../../../src/core/plan';
import type { ExecutionResult } from '../../../src/core/ports';
import { KubeClientPool, KubeExecutor, KubeForbiddenError, KubeObject, Resources, kubeconfigFiles, loadKubeconfig } from '../../../src/adapters/kube/index';
import { KubeLab } from '../../../lab/kube/lab';
import { kubeLab, ondatInstalled } from './lab';

const NS = 'backout-executor-test';
const ADMIN = KubeLab.contexts.admin;

function downgradeManifest(name: string, marker?: string): string {
  const labels = { app: name };
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: NS, labels, ...(marker ? { annotations: { 'backout.dev/run': marker } } : {}) },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          initContainers: [{ name: 'downgrade-database', image: 'soegarots/node:v2-release-v2.7.0-27', command: ['db_downgrade_v4v3'] }],
          containers: [{ name: 'sleep-once-complete', image: 'busybox', command: ['sleep', '3600'] }],
        },
      },
    },
  });
}

describe('kube executor (lab)', function () {
  this.timeout(180_000);
  let lab: KubeLab;
  let pool: KubeClientPool;
  let executor: KubeExecutor;
  let runDir: string;

  before(async function () {
    lab = await kubeLab();
    await ondatInstalled('current');
    runDir = mkdtempSync(join(tmpdir(), 'backout-run-'));
    pool = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })));
    executor = new KubeExecutor({ pool, runFolder: () => runDir });
    await pool.get(ADMIN).createOrAdopt(Resources.namespaces, { metadata: { name: NS } });
  });
  after(async function () {
    lab.kubelet.setFaults({});
    await pool.get(ADMIN).delete(Resources.namespaces, NS);
    pool.close();
    rmSync(runDir, { recursive: true, force: true });
  });

  async function exec(action: Omit<KubeAction, 'kind' | 'context'> & { context?: string }): Promise<ExecutionResult & { lines: string[] }> {
    const lines: string[] = [];
    const result = await executor.execute({
      action: { kind: 'kube', context: ADMIN, ...action },
      target: { kind: 'kube-context', name: ADMIN, production: false },
      step: 'test',
      instance: 'test',
      signal: new AbortController().signal,
      output: { line: (_stream, text) => lines.push(text) },
    });
    return { ...result, lines };
  }

  async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await fn()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${what} did not happen within ${timeoutMs} ms`);
  }

  it('volume-users lists the pods on Ondat volumes and fails while any exist when asked for none', async function () {
    const r = await exec({ operation: 'volume-users', options: { provisioner: 'csi.storageos.com', expect: 'none' } });
    assert.strictEqual(r.exitCode, 1);
    assert.ok(r.lines.includes('shop/shop-db-0 claim=data-shop-db-0 storageClass=storageos'), r.lines.join('\n'));
    assert.ok(r.lines.some((l) => /^shop\/shop-web-[a-z0-9-]+ claim=web-data storageClass=storageos$/.test(l)), r.lines.join('\n'));
  });

  it('volume-users names a StatefulSet whose scale-down a node outage holds back, and the pod that blocks it', async function () {
    const client = pool.get(ADMIN);
    const labels = { app: 'stall-db' };
    type Sts = KubeObject & { status?: { readyReplicas?: number } };
    type PodJson = KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } };
    const pods = async () => (await client.list<PodJson>(Resources.pods, { namespace: NS, labelSelector: 'app=stall-db' })).items;
    await client.create(Resources.statefulSets, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'stall-db', namespace: NS },
      spec: {
        replicas: 2,
        serviceName: 'stall-db',
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { nodeSelector: { 'kubernetes.io/hostname': 'lab-node-2' }, containers: [{ name: 'db', image: 'postgres:15' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'storageos', resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    await until('stall-db ready', async () => (await client.get<Sts>(Resources.statefulSets, 'stall-db', { namespace: NS })).status?.readyReplicas === 2, 90_000);
    await lab.kubelet.setNodeReady('lab-node-2', false, 'lost');
    try {
      // Scaled only once the node lifecycle controller marked both pods not ready (else stall-db-1 goes at once).
      await until('stall-db pods not ready', async () => (await pods()).every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False')), 60_000);
      await client.scale(Resources.statefulSets, 'stall-db', 0, { namespace: NS });
      const r = await exec({ operation: 'volume-users', options: { provisioner: 'csi.storageos.com', expect: 'none' } });
      assert.strictEqual(r.exitCode, 1);
      const stalled = r.lines.filter((l) => l.startsWith('stalled: '));
      assert.deepStrictEqual(stalled, [
        `stalled: StatefulSet ${NS}/stall-db is scaled to 0 but keeps stall-db-1, stall-db-0: with podManagementPolicy OrderedReady the controller ` +
          'removes stall-db-1 only once stall-db-0 is Running and Ready (e.g. pods left not ready by a node outage). Make the pods healthy, ' +
          `or, once their data is safe, delete them: kubectl --context ${ADMIN} -n ${NS} delete pod stall-db-1 stall-db-0`,
      ]);
      assert.match(r.detail ?? '', /still use csi\.storageos\.com volumes; StatefulSet backout-executor-test\/stall-db is scaled to 0/);
      assert.strictEqual((await pods()).length, 2, 'the controller has removed nothing');
    } finally {
      await lab.kubelet.setNodeReady('lab-node-2', true);
    }
    // Back in touch, the kubelet reports the pods ready again and the scale-down completes.
    await until('stall-db pods gone once the node is back', async () => (await pods()).length === 0, 90_000);
  });

  it('list checks every object against the expectations and prints the offenders', async function () {
    const resource = { apiVersion: 'storageos.com/v1', kind: 'StorageOSCluster' };
    const good = await exec({ operation: 'list', resource, options: { allNamespaces: true, output: 'names', expect: 'some', expectEach: [{ path: 'status.phase', equals: 'Running' }] } });
    assert.deepStrictEqual([good.exitCode, good.lines], [0, ['storageos/storageoscluster']]);
    const bad = await exec({ operation: 'list', resource, options: { allNamespaces: true, output: 'json', expectEach: [{ path: 'spec.images.nodeContainer', matches: ':v2\\.6\\.' }] } });
    assert.strictEqual(bad.exitCode, 1);
    assert.strictEqual(JSON.parse(bad.lines[0]).kind, 'StorageOSCluster');
    assert.ok(bad.lines.includes('UNMET storageos/storageoscluster: spec.images.nodeContainer = storageos/node:v2.7.0, expected to match /:v2\\.6\\./'), bad.lines.join('\n'));
  });

  it('list reports a kind the API server does not serve with exit 3', async function () {
    const r = await exec({ operation: 'list', resource: { apiVersion: 'example.com/v1', kind: 'Widget' }, options: { allNamespaces: true } });
    assert.deepStrictEqual([r.exitCode, r.lines], [3, ['not served: example.com/v1 Widget']]);
  });

  it('get prints the object, or "not found" with exit 1', async function () {
    const found = await exec({ operation: 'get', namespace: 'storageos', resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'storageos-operator' } });
    assert.strictEqual(found.exitCode, 0);
    assert.strictEqual(JSON.parse(found.lines[0]).metadata.name, 'storageos-operator');
    assert.strictEqual(JSON.parse(found.lines[0]).metadata.managedFields, undefined);
    const missing = await exec({ operation: 'get', namespace: 'storageos', resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nope' } });
    assert.deepStrictEqual([missing.exitCode, missing.lines], [1, ['not found']]);
  });

  it('save writes the object as YAML without status; a Secret with mode 0600 and nothing of it in the output', async function () {
    const r = await exec({ operation: 'save', namespace: 'storageos', resource: { apiVersion: 'v1', kind: 'Secret', name: 'storageos-api' }, options: { file: 'backup/storageos-api.yaml' } });
    assert.strictEqual(r.exitCode, 0);
    const file = join(runDir, 'backup/storageos-api.yaml');
    assert.strictEqual(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /kind: Secret/);
    assert.doesNotMatch(text, /managedFields/);
    assert.ok(!r.lines.join('\n').includes(Buffer.from('lab-only-password').toString('base64')));
    const cr = await exec({ operation: 'save', namespace: 'storageos', resource: { apiVersion: 'storageos.com/v1', kind: 'StorageOSCluster', name: 'storageoscluster' }, options: { file: 'backup/cr.yaml' } });
    assert.strictEqual(cr.exitCode, 0);
    assert.doesNotMatch(readFileSync(join(runDir, 'backup/cr.yaml'), 'utf8'), /^status:/m);
    const escape = await exec({ operation: 'save', namespace: 'storageos', resource: { apiVersion: 'v1', kind: 'Secret', name: 'storageos-api' }, options: { file: '../outside.yaml' } });
    assert.strictEqual(escape.exitCode, 1);
  });

  it('create-or-adopt creates, adopts its own object, and replaces a foreign one', async function () {
    const resource = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'adopt-ds' };
    const options = { adoptWhenAnnotation: { key: 'backout.dev/run', value: 'run-1' }, replaceTimeoutSeconds: 60 };
    const first = await exec({ operation: 'create-or-adopt', namespace: NS, resource, manifest: downgradeManifest('adopt-ds', 'run-1'), options });
    assert.strictEqual(first.exitCode, 0);
    assert.match(first.lines[0], /^created DaemonSet backout-executor-test\/adopt-ds uid=/);
    const again = await exec({ operation: 'create-or-adopt', namespace: NS, resource, manifest: downgradeManifest('adopt-ds', 'run-1'), options });
    assert.match(again.lines[0], /^adopted /);
    const other = { adoptWhenAnnotation: { key: 'backout.dev/run', value: 'run-2' }, replaceTimeoutSeconds: 60 };
    const replaced = await exec({ operation: 'create-or-adopt', namespace: NS, resource, manifest: downgradeManifest('adopt-ds', 'run-2'), options: other });
    assert.match(replaced.lines[0], /^replaced /);
    assert.notStrictEqual(replaced.lines[0].split('uid=')[1], first.lines[0].split('uid=')[1]);
  });

  it('rollout-status reports each node, succeeds per node and for the whole DaemonSet once ready', async function () {
    await exec({ operation: 'create-or-adopt', namespace: NS, resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'good-ds' }, manifest: downgradeManifest('good-ds'), options: { replaceTimeoutSeconds: 60 } });
    let last: ExecutionResult & { lines: string[] } = { exitCode: -1, lines: [] };
    await until('node 1 ready', async () => {
      last = await exec({ operation: 'rollout-status', namespace: NS, resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'good-ds' }, options: { node: 'lab-node-1', logLines: 5 } });
      return last.exitCode === 0;
    });
    assert.match(last.lines[0], /^node=lab-node-1 pod=good-ds-[a-z0-9]+ state=Ready$/);
    await until('all ready', async () => {
      last = await exec({ operation: 'rollout-status', namespace: NS, resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'good-ds' }, options: { logLines: 5 } });
      return last.exitCode === 0;
    });
    assert.strictEqual(last.lines.filter((l) => l.endsWith('state=Ready')).length, 3);
    assert.strictEqual(last.lines[last.lines.length - 1], 'ready=3/3');
  });

  it('rollout-status stops with exit 2 on a crash-looping init container, naming node, pod and container', async function () {
    lab.kubelet.setFaults({ initFailure: { node: 'lab-node-2', mode: 'crashloop', podNamePrefix: 'bad-ds' } });
    await exec({ operation: 'create-or-adopt', namespace: NS, resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'bad-ds' }, manifest: downgradeManifest('bad-ds'), options: { replaceTimeoutSeconds: 60 } });
    let last: ExecutionResult & { lines: string[] } = { exitCode: -1, lines: [] };
    await until('the failure', async () => {
      last = await exec({ operation: 'rollout-status', namespace: NS, resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'bad-ds' }, options: { logLines: 5 } });
      return last.exitCode === 2;
    });
    const failed = last.lines.find((l) => l.startsWith('FAILED '));
    assert.match(failed ?? '', /^FAILED node=lab-node-2 pod=bad-ds-[a-z0-9]+ container=downgrade-database reason=(Error|CrashLoopBackOff) exitCode=1$/);
    assert.ok(last.lines.some((l) => /^log bad-ds-[a-z0-9]+: unavailable \(/.test(l)), last.lines.join('\n'));
  });

  it('delete waits until the object is gone, and a second delete finds it already gone', async function () {
    const resource = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'good-ds' };
    const r = await exec({ operation: 'delete', namespace: NS, resource, options: { waitGone: true, timeoutSeconds: 60, propagationPolicy: 'Foreground' } });
    assert.deepStrictEqual([r.exitCode, r.lines], [0, ['deleted DaemonSet good-ds', 'gone']]);
    const again = await exec({ operation: 'delete', namespace: NS, resource, options: { waitGone: true, timeoutSeconds: 60 } });
    assert.deepStrictEqual([again.exitCode, again.lines], [0, ['already gone']]);
  });

  it('scale sets replicas through the scale subresource and says from what to what', async function () {
    const resource = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-web' };
    const down = await exec({ operation: 'scale', namespace: 'shop', resource, options: { replicas: 0 } });
    assert.deepStrictEqual(down.lines, ['scaled Deployment/shop-web from 1 to 0']);
    const up = await exec({ operation: 'scale', namespace: 'shop', resource, options: { replicas: 1 } });
    assert.deepStrictEqual(up.lines, ['scaled Deployment/shop-web from 0 to 1']);
  });

  it('assert-unchanged reports unchanged objects, a changed spec and new objects', async function () {
    const client = pool.get(ADMIN);
    const etcd = await client.get<KubeObject>(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' });
    const proxy = await client.get<KubeObject>(Resources.deployments, 'storageos-etcd-proxy', { namespace: 'storageos-etcd' });
    const fp = (o: KubeObject, apiVersion: string, kind: string) => ({ apiVersion, kind, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '', generation: o.metadata?.generation ?? 0 });
    const objects = [fp(etcd, 'etcd.improbable.io/v1alpha1', 'EtcdCluster'), fp(proxy, 'apps/v1', 'Deployment')];
    const same = await exec({ operation: 'assert-unchanged', options: { objects, inNamespaces: [] } });
    assert.deepStrictEqual([same.exitCode, same.lines], [0, ['unchanged EtcdCluster/storageos-etcd/storageos-etcd', 'unchanged Deployment/storageos-etcd/storageos-etcd-proxy']]);
    await client.scale(Resources.etcdClusters, 'storageos-etcd', 5, { namespace: 'storageos-etcd' });
    try {
      const changed = await exec({ operation: 'assert-unchanged', options: { objects, inNamespaces: ['storageos-etcd'] } });
      assert.strictEqual(changed.exitCode, 1);
      assert.match(changed.lines[0], /^CHANGED EtcdCluster\/storageos-etcd\/storageos-etcd: spec changed \(generation \d+ -> \d+\)$/);
      assert.ok(changed.lines.includes('NEW Deployment/storageos-etcd/storageos-etcd-controller-manager'), changed.lines.join('\n'));
    } finally {
      await client.scale(Resources.etcdClusters, 'storageos-etcd', 3, { namespace: 'storageos-etcd' });
    }
  });

  it('rejects with the RBAC error when the context may not do the operation', async function () {
    await assert.rejects(
      exec({ context: KubeLab.contexts.limited, operation: 'list', resource: { apiVersion: 'apps/v1', kind: 'DaemonSet' }, namespace: 'storageos', options: {} }),
      KubeForbiddenError,
    );
  });
});
