// The StorageOSCluster 2.6.0 is installed with: the cluster's own one, saved before the uninstall, changed only
// where 2.6.0 needs it. The vendor's downgrade page says to uninstall 2.7 "as if you are starting an upgrade"; the
// upgrade page (ondat/documentation docs/upgrade/upgrade.md) keeps the cluster's StorageOSCluster and Secrets and
// changes only the node image — so nodeSelectorTerms, tolerations, resources and etcd TLS
// (spec.tlsEtcdSecretRefName, storageos/operator apis/v1/storageoscluster_types.go) all carry over.
import type { JsonObject, JsonValue } from '../../core/json';
import { parseImage } from './image';
import { isObject } from './kube-json';
import { TARGET_NODE_IMAGE } from './names';

/** Marks the recreated cluster, so that a resumed run adopts the one it created instead of replacing it. */
export const REINSTALL_ANNOTATION = 'backout.dev/reinstalled-from-uid';

/** Fields the API server sets; a recreated object must not carry them. */
const SERVER_SET = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'ownerReferences', 'finalizers'];
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

export interface ReinstallCluster {
  /** The 2.6.0 object, exactly as it will be created. */
  object: JsonObject;
  /** Every difference from the saved 2.7 object's spec, as `path: before → after`. */
  changes: string[];
}

function show(v: JsonValue | undefined): string {
  return v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** Differences between two JSON values, one line per changed leaf (objects recursed into, lists compared whole). */
export function jsonDiff(before: JsonValue | undefined, after: JsonValue | undefined, path = ''): string[] {
  if (isObject(before ?? null) && isObject(after ?? null)) {
    const b = before as JsonObject;
    const a = after as JsonObject;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => jsonDiff(b[k], a[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [`${path}: ${show(before)} → ${show(after)}`];
}

/** The saved StorageOSCluster as 2.6.0 needs it: the node image pinned to v2.6.0; other Ondat images the 2.7 object
 * pinned are dropped so that the 2.6.0 operator uses its own (a 2.7-era api-manager or init image under a 2.6.0
 * node is a mix the vendor never shipped). Everything else is kept as it was. */
export function reinstallCluster(saved: JsonObject): ReinstallCluster {
  const metadata = isObject(saved.metadata) ? saved.metadata : {};
  const meta: JsonObject = {};
  for (const [k, v] of Object.entries(metadata)) if (!SERVER_SET.includes(k)) meta[k] = v;
  const annotations: JsonObject = {};
  if (isObject(metadata.annotations)) for (const [k, v] of Object.entries(metadata.annotations)) if (!DROPPED_ANNOTATIONS.includes(k)) annotations[k] = v;
  annotations[REINSTALL_ANNOTATION] = typeof metadata.uid === 'string' ? metadata.uid : 'unknown';
  meta.annotations = annotations;

  const spec: JsonObject = isObject(saved.spec) ? { ...saved.spec } : {};
  const images: JsonObject = {};
  if (isObject(spec.images)) {
    for (const [k, v] of Object.entries(spec.images)) {
      if (k === 'nodeContainer') continue;
      if (typeof v === 'string' && parseImage(v).repository.startsWith('storageos/')) continue;
      images[k] = v;
    }
  }
  images.nodeContainer = TARGET_NODE_IMAGE;
  spec.images = images;
  const object: JsonObject = { apiVersion: typeof saved.apiVersion === 'string' ? saved.apiVersion : 'storageos.com/v1', kind: 'StorageOSCluster', metadata: meta, spec };
  return { object, changes: jsonDiff(saved.spec, spec, 'spec') };
}
