// podState summarises pods the way `kubectl get pods` does and flags failures a wait must not sit through.
import * as assert from 'assert';
import { Pod, podState } from '../../../src/adapters/kube/index';

function pod(status: Pod['status'], extra: Partial<Pod> = {}): Pod {
  return {
    metadata: { name: 'storageos-downgrade-database-abcde', namespace: 'kube-system' },
    spec: {
      nodeName: 'node-1',
      initContainers: [{ name: 'downgrade-database' }],
      containers: [{ name: 'sleep-once-complete' }],
    },
    status,
    ...extra,
  };
}

const waiting = (name: string, reason: string, restartCount = 0) => ({ name, ready: false, restartCount, state: { waiting: { reason } } });
const running = (name: string, ready: boolean) => ({ name, ready, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } });
const done = (name: string) => ({ name, ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } });

describe('kube adapter: pod state', function () {
  it('shows a pod no node took yet as Pending', function () {
    const s = podState(pod({ phase: 'Pending' }, { spec: { containers: [{ name: 'c' }] } }));
    assert.deepStrictEqual([s.status, s.health, s.ready, s.readyContainers], ['Pending', 'pending', false, '0/1']);
  });

  it('shows the init container being run as Init:0/1', function () {
    const s = podState(pod({ phase: 'Pending', initContainerStatuses: [running('downgrade-database', false)], containerStatuses: [waiting('sleep-once-complete', 'PodInitializing')] }));
    assert.deepStrictEqual([s.status, s.health], ['Init:0/1', 'initializing']);
    assert.strictEqual(s.problem, undefined);
  });

  it('shows an init container that exited non-zero as Init:Error with its exit code', function () {
    const s = podState(pod({
      phase: 'Pending',
      initContainerStatuses: [{ name: 'downgrade-database', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }],
    }));
    assert.strictEqual(s.status, 'Init:Error');
    assert.deepStrictEqual(s.problem, { container: 'downgrade-database', init: true, reason: 'Error', exitCode: 1, restartCount: 0, message: undefined });
  });

  it('shows a crash-looping init container as Init:CrashLoopBackOff with the last exit code and restarts', function () {
    const s = podState(pod({
      phase: 'Pending',
      initContainerStatuses: [{
        name: 'downgrade-database', ready: false, restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s' } },
        lastState: { terminated: { exitCode: 2, reason: 'Error' } },
      }],
    }));
    assert.strictEqual(s.status, 'Init:CrashLoopBackOff');
    assert.strictEqual(s.restarts, 4);
    assert.deepStrictEqual([s.problem?.reason, s.problem?.exitCode, s.problem?.message], ['CrashLoopBackOff', 2, 'back-off 1m20s']);
  });

  it('shows an image that cannot be pulled for an init container as a problem', function () {
    const s = podState(pod({ phase: 'Pending', initContainerStatuses: [waiting('downgrade-database', 'ImagePullBackOff')] }));
    assert.strictEqual(s.status, 'Init:ImagePullBackOff');
    assert.strictEqual(s.problem?.init, true);
  });

  it('counts a pod as ready only when it runs and its Ready condition holds', function () {
    const notYet = podState(pod({ phase: 'Running', initContainerStatuses: [done('downgrade-database')], containerStatuses: [running('sleep-once-complete', false)], conditions: [{ type: 'Ready', status: 'False' }] }));
    assert.deepStrictEqual([notYet.status, notYet.health, notYet.ready, notYet.readyContainers], ['Running', 'running', false, '0/1']);
    const ready = podState(pod({ phase: 'Running', initContainerStatuses: [done('downgrade-database')], containerStatuses: [running('sleep-once-complete', true)], conditions: [{ type: 'Ready', status: 'True' }] }));
    assert.deepStrictEqual([ready.status, ready.health, ready.ready, ready.readyContainers], ['Running', 'ready', true, '1/1']);
  });

  it('shows a main container in CrashLoopBackOff by its reason', function () {
    const s = podState(pod({ phase: 'Running', initContainerStatuses: [done('downgrade-database')], containerStatuses: [waiting('sleep-once-complete', 'CrashLoopBackOff', 3)] }));
    assert.deepStrictEqual([s.status, s.problem?.init, s.restarts], ['CrashLoopBackOff', false, 3]);
  });

  it('shows a pod being deleted as Terminating', function () {
    const s = podState(pod({ phase: 'Running' }, { metadata: { name: 'p', namespace: 'n', deletionTimestamp: '2026-01-01T00:00:00Z' } }));
    assert.deepStrictEqual([s.status, s.health], ['Terminating', 'terminating']);
  });

  it('shows a failed pod (restartPolicy Never) as failed', function () {
    const s = podState(pod({ phase: 'Failed', initContainerStatuses: [{ name: 'downgrade-database', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] }));
    assert.deepStrictEqual([s.status, s.health], ['Init:Error', 'failed']);
  });

  it('shows a container still being created with the kubelet\'s reason', function () {
    const s = podState(pod({ phase: 'Pending', containerStatuses: [waiting('sleep-once-complete', 'ContainerCreating')] }, { spec: { nodeName: 'n1', containers: [{ name: 'sleep-once-complete' }] } }));
    assert.deepStrictEqual([s.status, s.health], ['ContainerCreating', 'pending']);
  });
});
