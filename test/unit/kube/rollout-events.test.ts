// Issue 14 §5: a wait on the downgrade DaemonSet sees at once what waiting will never fix, with the event text,
// the pod and the node — not only failing init containers.
import * as assert from 'node:assert/strict';
import { rolloutReport, type KubeEvent, type Pod } from '../../../src/adapters/kube/index';
import { eventFailures } from '../../../src/adapters/kube/rollout-status';

const ds = { metadata: { name: 'dg', namespace: 'ondat-tools', uid: 'ds-uid', generation: 1 }, status: { numberReady: 0, desiredNumberScheduled: 2, currentNumberScheduled: 0, observedGeneration: 1 } };
const owned = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'dg', uid: 'ds-uid', controller: true }] };

function pod(name: string, uid: string, node: string | undefined, status: Pod['status']): Pod {
  return { metadata: { name, uid, ...owned }, spec: { ...(node ? { nodeName: node } : {}), initContainers: [{ name: 'downgrade-database' }], containers: [{ name: 'sleep-once-complete' }] }, status };
}

function warning(kind: string, name: string, uid: string, reason: string, message: string): KubeEvent {
  return { metadata: { name: `${name}.1` }, involvedObject: { kind, name, uid, namespace: 'ondat-tools' }, reason, message, type: 'Warning', count: 3 };
}

describe('kube executor: rollout failures that waiting will not fix', () => {
  it('reports pods never created (FailedCreate on this DaemonSet) with the event text', () => {
    const ev = warning('DaemonSet', 'dg', 'ds-uid', 'FailedCreate', 'Error creating: pods "dg-" is forbidden: error looking up service account ondat-tools/daemon-set-controller: serviceaccount "daemon-set-controller" not found');
    const [f] = eventFailures(ds, [], [ev]);
    assert.equal(f?.reason, 'FailedCreate');
    assert.match(f?.message ?? '', /serviceaccount "daemon-set-controller" not found/);
    assert.equal(f?.object, 'DaemonSet/dg');
  });

  it('ignores FailedCreate of an earlier DaemonSet of the same name (another uid)', () => {
    assert.deepEqual(eventFailures(ds, [], [warning('DaemonSet', 'dg', 'old-uid', 'FailedCreate', 'quota')]), []);
  });

  it('reports FailedMount with the pod and its node, and FailedScheduling of an unscheduled pod', () => {
    const creating = pod('dg-a', 'pa', 'node-1', { phase: 'Pending', initContainerStatuses: [{ name: 'downgrade-database', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] });
    const pending = pod('dg-b', 'pb', undefined, { phase: 'Pending' });
    const events = [
      warning('Pod', 'dg-a', 'pa', 'FailedMount', 'MountVolume.SetUp failed for volume "storageos" : hostPath type check failed: /var/lib/storageos is not a directory'),
      warning('Pod', 'dg-b', 'pb', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient memory.'),
      warning('Pod', 'someone-else', 'px', 'FailedMount', 'not ours'),
    ];
    const failures = eventFailures(ds, [creating, pending], events);
    assert.deepEqual(failures.map((f) => [f.object, f.node, f.reason]), [['Pod/dg-a', 'node-1', 'FailedMount'], ['Pod/dg-b', '(unscheduled)', 'FailedScheduling']]);
    assert.match(failures[0]!.message, /hostPath type check failed/);
  });

  it('ignores a FailedScheduling of a pod that has been bound to a node since (the scheduler retried it)', () => {
    const bound = pod('dg-d', 'pd', 'node-1', { phase: 'Running' });
    const bindRefused = 'binding rejected: running Bind plugin "DefaultBinder": Post "https://127.0.0.1:6443/api/v1/namespaces/ondat-tools/pods/dg-d/binding": connect: connection refused';
    assert.deepEqual(eventFailures(ds, [bound], [warning('Pod', 'dg-d', 'pd', 'FailedScheduling', bindRefused)]), []);
  });

  it('treats a main container that cannot pull its image as a failure, like a failing init container', () => {
    const pulling = pod('dg-c', 'pc', 'node-2', {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'downgrade-database', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      containerStatuses: [{ name: 'sleep-once-complete', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox:1.36"' } } }],
    });
    const r = rolloutReport(ds, [pulling]);
    assert.deepEqual(r.failures.map((f) => [f.node, f.container, f.reason]), [['node-2', 'sleep-once-complete', 'ImagePullBackOff']]);
  });
});
