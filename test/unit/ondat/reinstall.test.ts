// Issue 14 §4: 2.6.0 comes back with the cluster's own StorageOSCluster, changed only where 2.6.0 needs it.
import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseParameters } from '../../../src/core/parameters';
import type { JsonObject } from '../../../src/core/json';
import { ONDAT_PARAMETERS, readParams } from '../../../src/procedures/ondat/parameters';
import { buildPlan } from '../../../src/procedures/ondat/plan';
import { OndatRefusedError } from '../../../src/procedures/ondat/errors';
import { reinstallCluster } from '../../../src/procedures/ondat/reinstall';
import { factsFromSnapshot } from '../../../src/procedures/ondat/snapshot';
import { clusterSnapshot } from './cluster-fixture';

const CUSTOM: JsonObject = {
  nodeSelectorTerms: [{ matchExpressions: [{ key: 'storage', operator: 'In', values: ['ondat', 'fast'] }] }],
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'storage', effect: 'NoSchedule' }, { key: 'x', operator: 'Exists', effect: 'NoExecute' }],
  resources: { requests: { cpu: '1', memory: '2Gi' } },
  tlsEtcdSecretRefName: 'storageos-etcd-secret',
  tlsEtcdSecretRefNamespace: 'storageos',
};

function facts(): ReturnType<typeof factsFromSnapshot> {
  const snap = clusterSnapshot();
  const cr = snap.storageOSClusters![0]!;
  cr.spec = { ...(cr.spec as JsonObject), ...CUSTOM, images: { nodeContainer: 'storageos/node:v2.7.0', apiManagerContainer: 'storageos/api-manager:v1.2.9' } };
  (cr.metadata as JsonObject).finalizers = ['storageos.com/finalizer'];
  (cr.metadata as JsonObject).resourceVersion = '4711';
  return factsFromSnapshot('lab', snap, { tools: [], clusterUid: 'uid-1', helmReleases: [] });
}

describe('Ondat: the 2.6.0 cluster is the saved 2.7 one', () => {
  it('keeps nodeSelectorTerms, tolerations, resources and etcd TLS, and changes only the Ondat images', () => {
    const cl = facts().clusters[0]!;
    assert.deepEqual(cl.etcdTlsSecretRef, { namespace: 'storageos', name: 'storageos-etcd-secret' }, 'TLS is read from spec.tlsEtcdSecretRefName');
    const r = reinstallCluster(cl.object);
    const spec = r.object.spec as JsonObject;
    for (const [k, v] of Object.entries(CUSTOM)) assert.deepEqual(spec[k], v, `spec.${k} kept`);
    assert.deepEqual(spec.images, { nodeContainer: 'storageos/node:v2.6.0' });
    assert.deepEqual(r.changes, ['spec.images.apiManagerContainer: storageos/api-manager:v1.2.9 → (absent)', 'spec.images.nodeContainer: storageos/node:v2.7.0 → storageos/node:v2.6.0']);
    const meta = r.object.metadata as JsonObject;
    assert.equal(meta.resourceVersion, undefined);
    assert.equal(meta.uid, undefined);
    assert.equal(meta.finalizers, undefined);
  });

  it('saves the TLS Secret before the uninstall and recreates the cluster from the saved object, showing the diff', () => {
    const p = readParams(parseParameters('x', ONDAT_PARAMETERS, { context: 'lab', scaleWorkloads: 'true' }));
    const plan = buildPlan(p, facts());
    const saved = plan.steps.find((s) => s.id === 'save-manifests')!.instances.map((i) => i.instance);
    assert.ok(saved.includes('Secret/storageos/storageos-etcd-secret'));
    const create = plan.steps.find((s) => s.id === 'create-storageoscluster')!;
    assert.match(create.title, /spec\.images\.nodeContainer: storageos\/node:v2\.7\.0 → storageos\/node:v2\.6\.0/);
    const a = create.instances[0]!.action;
    const sent = parse(a.kind === 'kube' ? a.manifest ?? '' : '') as { spec: JsonObject };
    assert.deepEqual(sent.spec.tolerations, CUSTOM.tolerations);
    assert.equal(sent.spec.tlsEtcdSecretRefName, 'storageos-etcd-secret');
    const plugin = plan.steps.find((s) => s.id === 'install-ondat-operator')!.instances[0]!.action;
    const text = JSON.stringify(plugin);
    assert.match(text, /"etcdTLSEnabled":true/);
    assert.match(text, /"etcdSecretName":"storageos-etcd-secret"/);
    assert.ok((plan.extra?.storageOSCluster as { changes: string[] }).changes.length === 2);
  });

  it('refuses the Helm route when the chart cannot render the saved cluster, naming what it would drop', () => {
    const p = readParams(parseParameters('x', ONDAT_PARAMETERS, { context: 'lab', scaleWorkloads: 'true', installMethod: 'helm' }));
    assert.throws(() => buildPlan(p, facts()), (e: unknown) => e instanceof OndatRefusedError && /cannot render spec\.nodeSelectorTerms .*spec\.tolerations/.test(e.message));
  });
});
