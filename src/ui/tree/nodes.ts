// The Targets tree's nodes: a tagged union, one kind per variant, rendered by tree-items.ts.
import type { KubeContextInfo } from '../../adapters/kube/kubeconfig';
import type { InventoryAgent, LoadedDms } from '../../adapters/store/inventory-types';

export type TargetNode = KubeGroupNode | KubeContextNode | OndatNode | DmsGroupNode | DmsNode | AgentNode | ProblemNode;

/** What runs on a context: Ondat and its version, read when the context is expanded. */
export interface OndatNode {
  kind: 'ondat';
  context: string;
  status:
    | { state: 'checking' }
    | { state: 'absent' }
    | { state: 'found'; clusters: Array<{ namespace: string; name: string; version?: string; phase?: string }> }
    | { state: 'error'; error: string };
}

/** "DataMiner Systems": the DMSs of the inventory, with problems of the inventory files. */
export interface DmsGroupNode {
  kind: 'dms-group';
  children: TargetNode[];
}

export interface DmsNode {
  kind: 'dms';
  dms: LoadedDms;
}

/** What was read from an Agent (read-only facts), or that it is being read. */
export type AgentStatus =
  | { state: 'unknown' }
  | { state: 'checking' }
  | { state: 'reachable'; version?: string; shell?: string }
  | { state: 'unreachable'; error: string };

export interface AgentNode {
  kind: 'agent';
  dms: string;
  production: boolean;
  agent: InventoryAgent;
  status: AgentStatus;
}

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
  /** What the file is, for the command that opens it. */
  fileKind?: 'kubeconfig' | 'inventory';
}
