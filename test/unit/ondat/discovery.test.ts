import * as assert from 'node:assert/strict';
import { InvalidPlanError } from '../../../src/core/errors';
import type { CheckAction, TargetRef } from '../../../src/core/plan';
import type { FactsContext } from '../../../src/core/procedure';
import { discover, DiscoveryError } from '../../../src/procedures/ondat/discovery';
import type { OndatFacts } from '../../../src/procedures/ondat/facts';
import type { ClusterSnapshot } from '../../../src/procedures/ondat/snapshot';
import type { HelmReleaseRevision } from '../../../src/core/helm-release';
import { clusterSnapshot, helmRevisions } from './cluster-fixture';

const target: TargetRef = { kind: 'kube-context', name: 'lab', production: false };

type Reader = (action: CheckAction) => Promise<{ exitCode: number; output: string[] }>;

function context(read: Reader, params: Record<string, string> = {}): FactsContext & { actions: CheckAction[] } {
  const actions: CheckAction[] = [];
  return {
    target,
    params: { context: 'lab', installMethod: 'helm', ...params },
    signal: new AbortController().signal,
    actions,
    read: (a) => {
      actions.push(a);
      return read(a);
    },
  };
}

const LISTS: Record<string, keyof ClusterSnapshot> = {
  StorageOSCluster: 'storageOSClusters',
  EtcdCluster: 'etcdClusters',
  Deployment: 'deployments',
  DaemonSet: 'daemonSets',
  StatefulSet: 'statefulSets',
  ReplicaSet: 'replicaSets',
  Pod: 'pods',
  PersistentVolumeClaim: 'claims',
  StorageClass: 'storageClasses',
  Node: 'nodes',
  ServiceAccount: 'serviceAccounts',
};

/** Answers like the kube executor's `list` (one JSON object per line), `get`, `helm-releases` and `read-file`, and the local executor. */
function cluster(snap: ClusterSnapshot, local: Reader = async () => ({ exitCode: 0, output: ['v3.12.0+gabcdef'] }), releases: HelmReleaseRevision[] = [], files: Record<string, string> = {}): Reader {
  return async (a) => {
    if (a.kind === 'local') return local(a);
    assert.equal(a.kind, 'kube');
    if (a.kind !== 'kube') throw new Error('unreachable');
    if (a.operation === 'get') return { exitCode: 0, output: [JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: a.resource?.name, uid: 'uid-of-kube-system' } })] };
    if (a.operation === 'helm-releases') return { exitCode: 0, output: releases.map((r) => JSON.stringify(r)) };
    if (a.operation === 'read-file') {
      const text = files[String(a.options?.file)];
      return text === undefined ? { exitCode: 1, output: ['cannot read: ENOENT'] } : { exitCode: 0, output: text.split('\n') };
    }
    const key = LISTS[a.resource?.kind ?? ''];
    const items = key ? snap[key] : undefined;
    if (items === undefined) return { exitCode: 3, output: [`not served: ${a.resource?.apiVersion} ${a.resource?.kind}`] };
    return { exitCode: 0, output: (items as object[]).map((o) => JSON.stringify(o)) };
  };
}

describe('Ondat discovery', () => {
  it('reads only through read operations (lists over all namespaces, kube-system, Helm releases), in the named context', async () => {
    const ctx = context(cluster(clusterSnapshot()));
    await discover(ctx);
    const kube = ctx.actions.filter((a) => a.kind === 'kube');
    assert.equal(kube.length, 13);
    for (const a of kube) {
      assert.ok(a.kind === 'kube' && a.context === 'lab');
      if (a.operation === 'list') assert.equal(a.options?.allNamespaces, true);
      else assert.ok(['get', 'helm-releases'].includes(a.operation), a.operation);
    }
  });

  it('records the cluster identity and every Helm release revision', async () => {
    const releases = helmRevisions('umbrella');
    const facts = (await discover(context(cluster(clusterSnapshot({ variant: 'umbrella' }), undefined, releases)))) as OndatFacts;
    assert.equal(facts.clusterUid, 'uid-of-kube-system');
    assert.deepEqual(facts.helmReleases.map((r) => [r.name, r.chart, r.status]), [['ondat', 'ondat', 'deployed']]);
  });

  it('reads manifestsFile when planning, and says so clearly when it cannot be read', async () => {
    const files = { '/srv/ondat.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: storageos' };
    const facts = (await discover(context(cluster(clusterSnapshot(), undefined, [], files), { installMethod: 'manifests', manifestsFile: '/srv/ondat.yaml' }))) as OndatFacts;
    assert.equal(facts.manifests?.text, `${files['/srv/ondat.yaml']}\n`);
    await assert.rejects(discover(context(cluster(clusterSnapshot()), { installMethod: 'manifests', manifestsFile: '/srv/missing.yaml' })), /parameter "manifestsFile" cannot be read: cannot read: ENOENT/);
  });

  it('finds the cluster, its operator under the legacy naming, etcd and the workloads on Ondat volumes', async () => {
    const facts = (await discover(context(cluster(clusterSnapshot({ variant: 'legacy' }))))) as OndatFacts;
    assert.equal(facts.status, 'discovered');
    assert.deepEqual(facts.clusters.map((c) => `${c.namespace}/${c.name}`), ['kube-system/storageoscluster']);
    assert.deepEqual(facts.operators.map((o) => [o.namespace, o.name, o.scheme]), [['storageos-operator', 'storageos-cluster-operator', 'legacy']]);
    assert.equal(facts.etcd.namespace, 'storageos-etcd');
    assert.equal(facts.etcd.endpoints, 'storageos-etcd.storageos-etcd:2379');
    assert.deepEqual(facts.workloads.map((w) => `${w.kind}/${w.name}=${w.replicas}`), ['Deployment/shop-web=1', 'StatefulSet/shop-db=2']);
    assert.deepEqual(facts.nodePods.map((p) => p.node), ['node-1', 'node-2', 'node-3']);
    assert.deepEqual(facts.tools, [{ tool: 'helm', available: true, detail: 'v3.12.0+gabcdef' }]);
  });

  it('recognises a Helm release and records its name', async () => {
    const facts = (await discover(context(cluster(clusterSnapshot({ variant: 'helm' }))))) as OndatFacts;
    assert.deepEqual(facts.operators.map((o) => [o.name, o.scheme, o.helmRelease]), [['ondat-ondat-operator', 'helm', 'ondat']]);
  });

  it('reports facts absent when the host has no Kubernetes executor (offline planning)', async () => {
    const ctx = context(async () => {
      throw new InvalidPlanError('(facts)', 'reading facts needs a "kube" executor, which this host does not have');
    });
    const r = await discover(ctx);
    assert.equal(r.status, 'absent');
    assert.equal(ctx.actions.length, 1);
  });

  it('says the CRD is not served when the StorageOSCluster kind is unknown to the API', async () => {
    const snap = clusterSnapshot();
    delete snap.storageOSClusters;
    const facts = (await discover(context(cluster(snap)))) as OndatFacts;
    assert.equal(facts.crdServed, false);
  });

  it('fails with the context and the kind when a list is refused, instead of planning on half the facts', async () => {
    const base = cluster(clusterSnapshot());
    const ctx = context(async (a) => (a.kind === 'kube' && a.resource?.kind === 'Pod' ? { exitCode: 1, output: ['forbidden: pods is forbidden at the cluster scope'] } : base(a)));
    await assert.rejects(discover(ctx), (e: unknown) => e instanceof DiscoveryError && /context lab: listing Pod \(v1\) failed/.test(e.message) && /forbidden/.test(e.message));
  });

  it('records a missing install tool instead of failing discovery', async () => {
    const ctx = context(
      cluster(clusterSnapshot(), async () => {
        throw new Error('helm: spawn helm ENOENT');
      }),
    );
    const facts = (await discover(ctx)) as OndatFacts;
    assert.deepEqual(facts.tools, [{ tool: 'helm', available: false, detail: 'helm: spawn helm ENOENT' }]);
  });

  it('checks that kubectl-storageos is there for the plugin install, and never asks for the user\'s current context', async () => {
    const ctx = context(cluster(clusterSnapshot(), async () => ({ exitCode: 0, output: ['kubectl-storageos version 1.3.2'] })), { installMethod: 'kubectl-storageos' });
    const facts = (await discover(ctx)) as OndatFacts;
    assert.equal(facts.tools[0]?.tool, 'kubectl-storageos');
    assert.ok(!ctx.actions.some((a) => a.kind === 'local' && a.argv.includes('current-context')));
  });
});
