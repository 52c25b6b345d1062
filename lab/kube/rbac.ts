// What the lab's limited user may do: read pods, events and namespaces everywhere, nothing else. Enough to reach a
// cluster and be refused (403) on the things a downgrade needs (DaemonSets, deletes, custom resources).
import { LabObject } from './lab-api';
import { LIMITED_USER } from './pki';

export function limitedUserRbac(): LabObject[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'backout-lab-pod-reader' },
      rules: [{ apiGroups: [''], resources: ['pods', 'pods/log', 'events', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'backout-lab-pod-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'backout-lab-pod-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: LIMITED_USER }],
    },
  ];
}
