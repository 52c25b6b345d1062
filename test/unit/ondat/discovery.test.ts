import * as assert from 'node:assert/strict';
import { InvalidPlanError } from '../../../src/core/errors';
import type { CheckAction, TargetRef } from '../../../src/core/plan';
import type { FactsContext } from '../../../src/core/procedure';
import { discover, DiscoveryError } from '../../../src/procedures/ondat/discovery';
import type { OndatFacts } from '../../../src/procedures/ondat/facts';
import type { ClusterSnapshot } from '../../../src/procedures/ondat/snapshot';
import { clusterSnapshot } from './cluster-fixture';

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
};

/** Answers like the kube executor's `list` (one JSON object per line) and the local executor. */
function cluster(snap: ClusterSnapshot, local: Reader = async () => ({ exitCode: 0, output: ['v3.12.0+gabcdef'] })): Reader {
  return async (a) => {
    if (a.kind === 'local') return local(a);
    assert.equal(a.kind, 'kube');
    if (a.kind !== 'kube') throw new Error('unreachable');
    const key = LISTS[a.resource?.kind ?? ''];
    const items = key ? snap[key] : undefined;
    if (items === undefined) return { exitCode: 3, output: [`not served: ${a.resource?.apiVersion} ${a.resource?.kind}`] };
    return { exitCode: 0, output: (items as object[]).map((o) => JSON.stringify(o)) };
  };
}

describe('Ondat discovery', () => {
  it('reads only through list operations over all namespaces, in the named context', async () => {
    const ctx = context(cluster(clusterSnapshot()));
    await discover(ctx);
    const kube = ctx.actions.filter((a) => a.kind === 'kube');
    assert.equal(kube.length, 10);
    for (const a of kube) {
      assert.ok(a.kind === 'kube' && a.operation === 'list' && a.context === 'lab' && a.options?.allNamespaces === true);
    }
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

  it('checks kubectl storageos and the current context for the plugin install', async () => {
    const ctx = context(
      cluster(clusterSnapshot(), async (a) => (a.kind === 'local' && a.argv.join(' ') === 'kubectl config current-context' ? { exitCode: 0, output: ['other'] } : { exitCode: 0, output: ['kubectl-storageos 1.3.0'] })),
      { installMethod: 'kubectl-storageos' },
    );
    const facts = (await discover(ctx)) as OndatFacts;
    assert.equal(facts.tools[0]?.tool, 'kubectl-storageos');
    assert.equal(facts.currentContext, 'other');
  });
});
