// A StatefulSet scaled down keeps its pods while the controller's ordering rules hold it back: the analysis must
// agree with the controller (OrderedReady removes the highest ordinal first, none while a lower pod is unhealthy).
import * as assert from 'assert';
import { describeStall, stalledScaleDowns, type StatefulSetJson } from '../../../src/adapters/kube/statefulset-stall';
import type { Pod } from '../../../src/adapters/kube/types';

function set(name: string, replicas: number, policy?: string, namespace = 'shop'): StatefulSetJson {
  return { metadata: { name, namespace, uid: `uid-${namespace}-${name}` }, spec: { replicas, ...(policy ? { podManagementPolicy: policy } : {}) } };
}

function pod(setName: string, ordinal: number, state: 'ready' | 'not-ready' | 'pending' | 'terminating', namespace = 'shop'): Pod {
  return {
    metadata: {
      name: `${setName}-${ordinal}`,
      namespace,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: setName, uid: `uid-${namespace}-${setName}`, controller: true }],
      ...(state === 'terminating' ? { deletionTimestamp: '2026-11-22T02:00:00Z' } : {}),
    },
    spec: { containers: [{ name: 'db' }] },
    status: {
      phase: state === 'pending' ? 'Pending' : 'Running',
      conditions: [{ type: 'Ready', status: state === 'ready' || state === 'terminating' ? 'True' : 'False' }],
    },
  } as Pod;
}

describe('StatefulSet scale-down stalls', () => {
  it('finds a set scaled to zero whose pods a node outage left not ready: the highest waits for the lowest', () => {
    const stalls = stalledScaleDowns([set('shop-db', 0)], [pod('shop-db', 0, 'not-ready'), pod('shop-db', 1, 'not-ready')]);
    assert.deepStrictEqual(stalls, [{ namespace: 'shop', statefulSet: 'shop-db', replicas: 0, next: 'shop-db-1', blockedBy: 'shop-db-0', condemned: ['shop-db-1', 'shop-db-0'] }]);
  });

  it('orders by ordinal, not by name (shop-db-10 is removed after shop-db-9)', () => {
    const pods = [pod('shop-db', 10, 'not-ready'), pod('shop-db', 9, 'ready'), pod('shop-db', 1, 'ready'), pod('shop-db', 2, 'pending'), pod('shop-db', 0, 'ready')];
    const [stall] = stalledScaleDowns([set('shop-db', 2)], pods);
    assert.deepStrictEqual([stall?.next, stall?.blockedBy, stall?.condemned], ['shop-db-10', 'shop-db-2', ['shop-db-10', 'shop-db-9', 'shop-db-2']]);
  });

  it('sees no stall where the controller makes progress', () => {
    // The next pod to go is healthy: it is removed whatever the others are.
    assert.deepStrictEqual(stalledScaleDowns([set('shop-db', 0)], [pod('shop-db', 0, 'not-ready'), pod('shop-db', 1, 'ready')]), []);
    // The next pod is itself the first unhealthy one: the controller removes it.
    assert.deepStrictEqual(stalledScaleDowns([set('shop-db', 0)], [pod('shop-db', 0, 'not-ready')]), []);
    // A removal is under way.
    assert.deepStrictEqual(stalledScaleDowns([set('shop-db', 0)], [pod('shop-db', 0, 'not-ready'), pod('shop-db', 1, 'terminating')]), []);
    // Nothing above the wanted count.
    assert.deepStrictEqual(stalledScaleDowns([set('shop-db', 2)], [pod('shop-db', 0, 'not-ready'), pod('shop-db', 1, 'not-ready')]), []);
    // Parallel pod management removes pods regardless of their health.
    assert.deepStrictEqual(stalledScaleDowns([set('shop-db', 0, 'Parallel')], [pod('shop-db', 0, 'not-ready'), pod('shop-db', 1, 'not-ready')]), []);
  });

  it('counts only the pods the set owns, in its namespace', () => {
    const stranger = pod('shop-db', 0, 'not-ready', 'other');
    const sameNameOtherSet = { ...pod('shop-db', 0, 'not-ready'), metadata: { ...pod('shop-db', 0, 'not-ready').metadata, ownerReferences: [] } } as Pod;
    assert.deepStrictEqual(stalledScaleDowns([set('shop-db', 0)], [stranger, sameNameOtherSet, pod('shop-db', 1, 'not-ready')]), []);
  });

  it('says which pod blocks which and gives the kubectl command for the context', () => {
    const [stall] = stalledScaleDowns([set('shop-db', 0)], [pod('shop-db', 0, 'not-ready'), pod('shop-db', 1, 'not-ready')]);
    assert.ok(stall);
    assert.strictEqual(
      describeStall(stall, 'prod-eu'),
      'StatefulSet shop/shop-db is scaled to 0 but keeps shop-db-1, shop-db-0: with podManagementPolicy OrderedReady the controller ' +
        'removes shop-db-1 only once shop-db-0 is Running and Ready (e.g. pods left not ready by a node outage). Make the pods healthy, ' +
        'or, once their data is safe, delete them: kubectl --context prod-eu -n shop delete pod shop-db-1 shop-db-0',
    );
  });
});
