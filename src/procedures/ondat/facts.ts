// What discovery found on the cluster: the facts the planner decides on. Plain JSON-able data, no behaviour.
import type { HelmReleaseRevision } from '../../core/helm-release';
import type { JsonObject } from '../../core/json';

export interface ObjectId {
  namespace: string;
  name: string;
}

export interface StorageOSClusterFact extends ObjectId {
  uid: string;
  /** spec.images.nodeContainer, when the CR pins it. */
  specNodeImage?: string;
  /** status.phase (Creating, Running, ...). */
  phase?: string;
  /** status.ready, e.g. "3/3". */
  ready?: string;
  /** The Secret with the API credentials (spec.secretRefName / secretRefNamespace). */
  secretRef?: ObjectId;
  /** spec.kvBackend.address: the etcd endpoints. */
  kvBackendAddress?: string;
  /** The TLS Secret for etcd, when the CR names one (spec.tlsEtcdSecretRefName / spec.tlsEtcdSecretRefNamespace;
   * storageos/operator apis/v1/storageoscluster_types.go — not under kvBackend). */
  etcdTlsSecretRef?: ObjectId;
  /** The object as read (for reinstalling it as 2.6.0 after the uninstall). */
  object: JsonObject;
}

export interface NodeDaemonSetFact extends ObjectId {
  uid: string;
  image: string;
  selector: Record<string, string>;
}

export interface NodePodFact extends ObjectId {
  node?: string;
  image: string;
  phase?: string;
}

export type OperatorScheme = 'current' | 'legacy' | 'helm' | 'labelled';

export interface OperatorFact extends ObjectId {
  uid: string;
  scheme: OperatorScheme;
  image?: string;
  /** The Helm release, when the Deployment carries Helm's annotations or instance label. */
  helmRelease?: string;
  /** Where the release's records live (meta.helm.sh/release-namespace, else the Deployment's namespace). */
  helmReleaseNamespace?: string;
}

export interface EtcdObjectFact extends ObjectId {
  apiVersion: string;
  kind: string;
  uid: string;
  generation?: number;
}

export interface EtcdFact {
  /** Where the etcd operator's objects live, when etcd runs in the cluster. */
  namespace?: string;
  /** The endpoints the CR points at. */
  endpoints?: string;
  /** Objects that must not change during the downgrade. */
  objects: EtcdObjectFact[];
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'ReplicationController' | 'DaemonSet' | 'Job' | 'Pod' | 'other';

/** A workload whose pods mount Ondat volumes. */
export interface WorkloadFact extends ObjectId {
  kind: WorkloadKind;
  apiVersion: string;
  /** spec.replicas as found (the count the last step restores). */
  replicas?: number;
  /** Whether Backout can scale it to zero through the scale subresource. */
  scalable: boolean;
  pods: string[];
  claims: string[];
}

export interface NodeFact {
  name: string;
  labels: Record<string, string>;
  unschedulable: boolean;
  taints: Array<{ key: string; value?: string; effect: string }>;
}

export type ToolName = 'helm' | 'kubectl-storageos' | 'kubectl';

export interface ToolFact {
  tool: ToolName;
  available: boolean;
  /** The version line it printed, or why it could not be run. */
  detail: string;
}

export interface OndatFacts {
  status: 'discovered';
  context: string;
  /** Whether the StorageOSCluster kind is served at all (its CRD is installed). */
  crdServed: boolean;
  clusters: StorageOSClusterFact[];
  nodeDaemonSets: NodeDaemonSetFact[];
  nodePods: NodePodFact[];
  operators: OperatorFact[];
  etcd: EtcdFact;
  workloads: WorkloadFact[];
  nodes: NodeFact[];
  /** Every ServiceAccount as namespace/name (the downgrade pods need theirs before the DaemonSet is created). */
  serviceAccounts?: string[];
  tools: ToolFact[];
  /** metadata.uid of namespace kube-system: the cluster's identity, checked again right before a tool installs. */
  clusterUid?: string;
  /** Every revision of every Helm release, from Helm's release Secrets. */
  helmReleases: HelmReleaseRevision[];
  /** installMethod=manifests: the text of manifestsFile as read when planning. */
  manifests?: { file: string; text: string };
}

/** Planning without a cluster (no kube executor in this host): the plan names the steps that depend on discovery. */
export interface AbsentFacts {
  status: 'absent';
  reason: string;
}

export type DiscoveryResult = OndatFacts | AbsentFacts;
