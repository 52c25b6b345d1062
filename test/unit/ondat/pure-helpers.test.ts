import * as assert from 'node:assert/strict';
import { namespaceOfEndpoint } from '../../../src/procedures/ondat/etcd';
import { isPinned, ondatVersionOfImage, parseImage } from '../../../src/procedures/ondat/image';
import { checkInstallManifests } from '../../../src/procedures/ondat/install-manifests';
import type { NodeFact } from '../../../src/procedures/ondat/facts';
import { daemonSetPlacement } from '../../../src/procedures/ondat/nodes';

describe('Ondat helpers', () => {
  it('reads the Ondat version from node image tags, with or without a registry', () => {
    assert.equal(ondatVersionOfImage('storageos/node:v2.7.0'), '2.7.0');
    assert.equal(ondatVersionOfImage('registry.local:5000/storageos/node:v2.7.1-rc1'), '2.7.1');
    assert.equal(ondatVersionOfImage('docker.io/storageos/node:2.6.0'), '2.6.0');
    assert.equal(ondatVersionOfImage('storageos/node:latest'), undefined);
    assert.equal(parseImage('registry.local:5000/storageos/node:v2.7.0').repository, 'storageos/node');
  });

  it('calls an image pinned only with a version tag or a digest', () => {
    assert.ok(isPinned('storageos/node:v2.6.0'));
    assert.ok(isPinned(`storageos/node@sha256:${'a'.repeat(64)}`));
    assert.ok(!isPinned('storageos/node'));
    assert.ok(!isPinned('storageos/node:latest'));
  });

  it('finds the etcd namespace from an in-cluster service address', () => {
    assert.equal(namespaceOfEndpoint('storageos-etcd.storageos-etcd:2379'), 'storageos-etcd');
    assert.equal(namespaceOfEndpoint('http://etcd.db.svc.cluster.local:2379,http://etcd-2.db.svc:2379'), 'db');
    assert.equal(namespaceOfEndpoint('10.0.0.5:2379'), undefined);
  });

  it('places the downgrade DaemonSet on matching nodes whose taints it tolerates', () => {
    const nodes: NodeFact[] = [
      { name: 'a', labels: { role: 'storage' }, unschedulable: false, taints: [] },
      { name: 'b', labels: { role: 'storage' }, unschedulable: false, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
      { name: 'c', labels: {}, unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
    ];
    const ds = { spec: { template: { spec: { nodeSelector: { role: 'storage' } } } } };
    const p = daemonSetPlacement(nodes, ds);
    assert.deepEqual(p.scheduled, ['a']);
    assert.deepEqual(p.excluded.map((e) => e.node), ['b', 'c']);
    assert.match(p.excluded[0]!.why, /taint dedicated=db:NoSchedule is not tolerated/);
    const tolerant = { spec: { template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } } } };
    assert.deepEqual(daemonSetPlacement(nodes, tolerant).scheduled, ['a', 'b', 'c']);
  });

  it('applies install manifests in dependency order: namespaces first, the StorageOSCluster last', () => {
    const text = [
      'apiVersion: storageos.com/v1\nkind: StorageOSCluster\nmetadata:\n  name: c\n  namespace: storageos\nspec:\n  images:\n    nodeContainer: storageos/node:v2.6.0\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: storageos-operator\n  namespace: storageos\n',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: storageos-operator\n',
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: storageos\n',
    ].join('---\n');
    assert.deepEqual(checkInstallManifests(text).objects.map((o) => o.kind), ['Namespace', 'ClusterRole', 'Deployment', 'StorageOSCluster']);
  });

  it('accepts install manifests only when every Ondat image is pinned and a node image is v2.6.0', () => {
    const ok = checkInstallManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: storageos-related-images\n  namespace: storageos\ndata:\n  RELATED_IMAGE_STORAGEOS_NODE: storageos/node:v2.6.0\n');
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.objects.length, 1);
    const wrong = checkInstallManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  NODE: storageos/node:v2.7.0\n  OP: storageos/operator\n');
    assert.deepEqual([...wrong.problems].sort(), ['image storageos/operator is not pinned; name the exact v2.6.0 tag (or a digest)', 'node image storageos/node:v2.7.0 is not v2.6.0']);
    // The node image is pinned by the StorageOSCluster the run recreates (reinstall.ts), not by the manifests.
    assert.deepEqual(checkInstallManifests('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: storageos\n').problems, []);
  });
});
