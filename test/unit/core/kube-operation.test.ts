// The kube operation contract shared by the planner and the kube executor: what one writes the other reads back.
import * as assert from 'node:assert/strict';
import { kubeOperationOptions, readKubeOperation, type KubeOperation } from '../../../src/core/kube-operation';
import type { KubeAction } from '../../../src/core/plan';

const OPS: KubeOperation[] = [
  { operation: 'list', allNamespaces: true, labelSelector: 'app=x', expect: 'some', expectEach: [{ path: 'status.phase', equals: 'Running' }], output: 'names' },
  { operation: 'get', expectEach: [] },
  { operation: 'save', file: 'backup/x.yaml' },
  { operation: 'delete', waitGone: true, timeoutSeconds: 60, propagationPolicy: 'Foreground', uid: 'u1' },
  { operation: 'scale', replicas: 0 },
  { operation: 'create-or-adopt', replaceTimeoutSeconds: 30, adoptWhenAnnotation: { key: 'k', value: 'v' } },
  { operation: 'create-or-adopt', replaceTimeoutSeconds: 30, clusterUid: 'uid-of-kube-system' },
  { operation: 'rollout-status', logLines: 50, node: 'n1' },
  { operation: 'volume-users', provisioner: 'csi.storageos.com', expect: 'none' },
  { operation: 'assert-unchanged', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'a', name: 'b', uid: 'u', generation: 2 }], inNamespaces: ['a'] },
  { operation: 'helm-releases' },
  { operation: 'run-tool', run: { tool: 'helm', args: ['version'], files: [{ name: 'values.yaml', format: 'yaml', data: { a: 1 } }], clusterUid: 'c' } },
  { operation: 'read-file', file: '/srv/x.yaml' },
];

function action(op: KubeOperation): KubeAction {
  return { kind: 'kube', context: 'lab', operation: op.operation, options: JSON.parse(JSON.stringify(kubeOperationOptions(op))) };
}

describe('kube operation contract', () => {
  for (const op of OPS) {
    it(`reads back ${op.operation} as it was written (through JSON, as plan.json keeps it)`, () => {
      assert.deepEqual(readKubeOperation(action(op)), op);
    });
  }

  it('names what is wrong with an action outside the contract', () => {
    assert.match(String(readKubeOperation({ kind: 'kube', context: 'lab', operation: 'apply' })), /unknown kube operation "apply"; this host supports list, get/);
    assert.match(String(readKubeOperation({ kind: 'kube', context: 'lab', operation: 'scale', options: { replicas: -1 } })), /replicas must be a whole number/);
    assert.match(String(readKubeOperation({ kind: 'kube', context: 'lab', operation: 'run-tool', options: { tool: 'rm', args: [] } })), /"tool" must be helm or kubectl-storageos/);
  });
});
