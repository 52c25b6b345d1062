// Which nodes the downgrade DaemonSet will run on: those matching its nodeSelector whose taints its pods tolerate
// (a DaemonSet's pods tolerate the node-condition taints by default). Every node that ran Ondat must be among them.
import type { JsonObject } from '../../core/json';
import type { NodeFact } from './facts';
import { arr, matchesLabels, str, stringMap } from './kube-json';

const DAEMONSET_DEFAULT_TOLERATED = new Set([
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/memory-pressure',
  'node.kubernetes.io/pid-pressure',
  'node.kubernetes.io/unschedulable',
  'node.kubernetes.io/network-unavailable',
]);

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

function tolerations(daemonSet: JsonObject): Toleration[] {
  return arr(daemonSet, 'spec', 'template', 'spec', 'tolerations').map((t) => {
    const o: Toleration = {};
    const key = str(t, 'key');
    const operator = str(t, 'operator');
    const value = str(t, 'value');
    const effect = str(t, 'effect');
    if (key !== undefined) o.key = key;
    if (operator !== undefined) o.operator = operator;
    if (value !== undefined) o.value = value;
    if (effect !== undefined) o.effect = effect;
    return o;
  });
}

function tolerated(taint: NodeFact['taints'][number], list: readonly Toleration[]): boolean {
  if (taint.effect === 'PreferNoSchedule' || DAEMONSET_DEFAULT_TOLERATED.has(taint.key)) return true;
  return list.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key === undefined || t.key === '') return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

export interface Placement {
  /** Nodes a pod of the DaemonSet will run on, by name. */
  scheduled: string[];
  /** Nodes left out, each with why. */
  excluded: Array<{ node: string; why: string }>;
}

export function daemonSetPlacement(nodes: readonly NodeFact[], daemonSet: JsonObject): Placement {
  const selector = stringMap(daemonSet, 'spec', 'template', 'spec', 'nodeSelector');
  const tols = tolerations(daemonSet);
  const out: Placement = { scheduled: [], excluded: [] };
  for (const n of nodes) {
    if (!matchesLabels(n.labels, selector)) {
      out.excluded.push({ node: n.name, why: `its labels do not match nodeSelector ${JSON.stringify(selector)}` });
      continue;
    }
    const blocking = n.taints.filter((t) => !tolerated(t, tols));
    if (blocking.length > 0) {
      out.excluded.push({ node: n.name, why: `taint ${blocking.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')} is not tolerated` });
      continue;
    }
    out.scheduled.push(n.name);
  }
  return out;
}
