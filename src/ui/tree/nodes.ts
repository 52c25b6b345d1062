// The Targets tree's nodes: a tagged union, one kind per variant, each rendered by its own file in items/; the lines
// procedures add under a target (DetailNode) render themselves.
import type { KubeContextInfo } from '../../adapters/kube/kubeconfig';
import type { InventoryAgent, LoadedDms } from '../../adapters/store/inventory-types';
import type { AnyTargetDetail, DetailKind, DetailStatus } from '../contributions/procedure-ui';

export type BuiltInNode = KubeGroupNode | KubeContextNode | DmsGroupNode | DmsNode | AgentNode | ProblemNode;
export type TargetNode = BuiltInNode | DetailNode;

export function isDetailNode(node: TargetNode): node is DetailNode {
  return 'detail' in node;
}

/**
 * A line a procedure adds under a target (what runs on a context: Ondat and its version), read when the target is
 * expanded. Its kind is the detail's id ("ondat", declared by the contribution); `detail` tells it apart from the built-in kinds.
 */
export interface DetailNode {
  kind: DetailKind;
  detail: AnyTargetDetail;
  target: string;
  status: DetailStatus<unknown>;
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
