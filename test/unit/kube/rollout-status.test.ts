// One look at a DaemonSet rollout, and field expectations: the pure parts of the kube executor.
import * as assert from 'assert';
import { Pod, rolloutReport } from '../../../src/adapters/kube/index';
import { unmet, valueAt } from '../../../src/adapters/kube/field-path';

const ds = { metadata: { name: 'dg', uid: 'ds-uid', generation: 2 }, status: { numberReady: 1, desiredNumberScheduled: 2, observedGeneration: 2 } };
const owned = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'dg', uid: 'ds-uid', controller: true }] };
const readyPod = (node: string): Pod => ({
  metadata: { name: `dg-${node}`, ...owned },
  spec: { nodeName: node, initContainers: [{ name: 'downgrade-database' }], containers: [{ name: 'sleep' }] },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    initContainerStatuses: [{ name: 'downgrade-database', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    containerStatuses: [{ name: 'sleep', ready: true, restartCount: 0, state: { running: {} } }],
  },
});
const initRunning = (node: string): Pod => ({
  metadata: { name: `dg-${node}`, ...owned },
  spec: { nodeName: node, initContainers: [{ name: 'downgrade-database' }], containers: [{ name: 'sleep' }] },
  status: { phase: 'Pending', initContainerStatuses: [{ name: 'downgrade-database', ready: false, restartCount: 0, state: { running: {} } }] },
});

describe('kube executor: rollout status and expectations', function () {
  it('prints one line per owned pod and the ready count; done only when all desired pods are ready', function () {
    const stranger: Pod = { ...readyPod('n9'), metadata: { name: 'other' } };
    const r = rolloutReport(ds, [initRunning('n2'), readyPod('n1'), stranger]);
    assert.deepStrictEqual(r.lines, ['node=n1 pod=dg-n1 state=Ready', 'node=n2 pod=dg-n2 state=Init:Running', 'ready=1/2']);
    assert.strictEqual(r.done, false);
    assert.strictEqual(rolloutReport({ ...ds, status: { ...ds.status, numberReady: 2 } }, [readyPod('n1'), readyPod('n2')]).done, true);
  });

  it('is not done while the controller has not seen the current generation', function () {
    const stale = { ...ds, status: { numberReady: 2, desiredNumberScheduled: 2, observedGeneration: 1 } };
    assert.strictEqual(rolloutReport(stale, [readyPod('n1'), readyPod('n2')]).done, false);
  });

  it('is done for one node when that node\'s pod is ready', function () {
    const r = rolloutReport(ds, [readyPod('n1'), initRunning('n2')], 'n1');
    assert.deepStrictEqual([r.done, r.lines], [true, ['node=n1 pod=dg-n1 state=Ready', 'ready=1/2']]);
  });

  it('lists failing init containers with node, reason and exit code', function () {
    const failing: Pod = {
      ...initRunning('n2'),
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'downgrade-database', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 127 } } }] },
    };
    const r = rolloutReport(ds, [readyPod('n1'), failing]);
    assert.deepStrictEqual(r.failures, [{ node: 'n2', pod: 'dg-n2', container: 'downgrade-database', reason: 'CrashLoopBackOff', exitCode: 127 }]);
    assert.ok(r.lines.includes('node=n2 pod=dg-n2 state=Init:CrashLoopBackOff'));
  });

  it('reads dotted paths with array indexes and explains unmet expectations', function () {
    const obj = { spec: { containers: [{ image: 'storageos/node:v2.7.0' }] }, status: { ready: 3 } };
    assert.strictEqual(valueAt(obj, 'spec.containers.0.image'), 'storageos/node:v2.7.0');
    assert.strictEqual(valueAt(obj, 'spec.containers.1.image'), undefined);
    assert.strictEqual(unmet(obj, { path: 'spec.containers.0.image', matches: ':v2\\.7\\.' }), undefined);
    assert.strictEqual(unmet(obj, { path: 'status.ready', equals: '3' }), undefined);
    assert.strictEqual(unmet(obj, { path: 'status.phase', equals: 'Running' }), 'status.phase = (absent), expected Running');
  });
});
