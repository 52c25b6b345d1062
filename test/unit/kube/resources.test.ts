// REST paths and names of the resource types, including the custom ones of Ondat.
import * as assert from 'assert';
import { Resources, apiVersionOf, resourceName, resourcePath, resourceTypeOf } from '../../../src/adapters/kube/index';

describe('kube adapter: resources', function () {
  it('builds core, group, cluster-scoped and all-namespace paths', function () {
    assert.strictEqual(resourcePath(Resources.pods, 'kube-system', 'p'), '/api/v1/namespaces/kube-system/pods/p');
    assert.strictEqual(resourcePath(Resources.pods), '/api/v1/pods');
    assert.strictEqual(resourcePath(Resources.daemonSets, 'kube-system'), '/apis/apps/v1/namespaces/kube-system/daemonsets');
    assert.strictEqual(resourcePath(Resources.nodes, 'ignored', 'n1'), '/api/v1/nodes/n1');
    assert.strictEqual(resourcePath(Resources.deployments, 'storageos', 'op', 'scale'), '/apis/apps/v1/namespaces/storageos/deployments/op/scale');
    assert.strictEqual(resourcePath(Resources.storageOSClusters, 'storageos', 'c'), '/apis/storageos.com/v1/namespaces/storageos/storageosclusters/c');
  });

  it('escapes names so that a value cannot change the path', function () {
    assert.strictEqual(resourcePath(Resources.pods, 'a/b', 'c?d'), '/api/v1/namespaces/a%2Fb/pods/c%3Fd');
  });

  it('names resources as RBAC does and finds types by apiVersion and kind', function () {
    assert.strictEqual(resourceName(Resources.daemonSets), 'daemonsets.apps');
    assert.strictEqual(resourceName(Resources.pods), 'pods');
    assert.strictEqual(apiVersionOf(Resources.etcdClusters), 'etcd.improbable.io/v1alpha1');
    assert.strictEqual(resourceTypeOf('storageos.com/v1', 'StorageOSCluster'), Resources.storageOSClusters);
    assert.strictEqual(resourceTypeOf('v1', 'Nope'), undefined);
  });
});
