// The Targets tree's nodes: a tagged union, one kind per variant, rendered by tree-items.ts.
import type { KubeContextInfo } from '../../adapters/kube/kubeconfig';

export type TargetNode = KubeGroupNode | KubeContextNode | ProblemNode;

/** "Kubernetes": the contexts of the kubeconfig, with where they were read from. */
export interface KubeGroupNode {
  kind: 'kube-group';
  files: string[];
  origin: string;
  children: TargetNode[];
}

export interface KubeContextNode {
  kind: 'kube-context';
  context: KubeContextInfo;
}

/** Something the user must fix, shown in the tree instead of an empty or broken view. */
export interface ProblemNode {
  kind: 'problem';
  severity: 'error' | 'warning';
  label: string;
  /** A few words shown beside the label; the whole message is in the tooltip. */
  summary: string;
  message: string;
  /** A file to open to fix it, when there is one. */
  file?: string;
}
