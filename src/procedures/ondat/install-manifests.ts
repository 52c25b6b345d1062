// Manifests the user provides for the 2.6.0 install: split into objects, and refused unless every Ondat image in
// them is pinned and any node image is v2.6.0 (an unpinned install would bring whatever is latest). The node image
// itself is pinned by the StorageOSCluster the run recreates from the saved one (see reinstall.ts).
import { parseAllDocuments } from 'yaml';
import type { JsonObject, JsonValue } from '../../core/json';
import { isPinned, parseImage, versionOfTag } from './image';
import { isObject, str } from './kube-json';
import { TARGET_VERSION } from './names';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The object as YAML, exactly as sent. */
  text: string;
  object: JsonObject;
}

export interface ManifestCheck {
  objects: ManifestObject[];
  problems: string[];
}

/** Every string value that looks like an image reference of an Ondat component (storageos/*). */
function ondatImages(v: JsonValue, out: Set<string>): void {
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^([a-z0-9.-]+(:\d+)?\/)?storageos\/[a-z0-9._-]+([:@].*)?$/.test(s)) out.add(s);
  } else if (Array.isArray(v)) for (const x of v) ondatImages(x, out);
  else if (isObject(v)) for (const x of Object.values(v)) ondatImages(x, out);
}

/** Kinds others depend on go first, as kubectl and Helm order them; custom resources (the cluster) go last. */
const KIND_ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'ResourceQuota',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'DaemonSet',
  'Deployment',
  'StatefulSet',
  'Job',
];

function rank(o: ManifestObject): number {
  const i = KIND_ORDER.indexOf(o.kind);
  if (i >= 0) return i;
  // Core and built-in groups before custom resources, which need their CRD and usually their operator.
  return o.apiVersion.includes('.') && !o.apiVersion.includes('k8s.io') ? KIND_ORDER.length + 1 : KIND_ORDER.length;
}

/** In apply order (stable: the user's order within a kind). */
export function applyOrder(objects: readonly ManifestObject[]): ManifestObject[] {
  return objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
}

export function checkInstallManifests(text: string): ManifestCheck {
  const problems: string[] = [];
  const objects: ManifestObject[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, i) => {
    for (const e of doc.errors) problems.push(`document ${i + 1}: YAML: ${e.message.split('\n')[0]}`);
    if (doc.errors.length > 0 || doc.contents === null) return;
    const obj = doc.toJS() as JsonValue;
    if (!isObject(obj)) {
      problems.push(`document ${i + 1} is not a Kubernetes object`);
      return;
    }
    const apiVersion = str(obj, 'apiVersion');
    const kind = str(obj, 'kind');
    const name = str(obj, 'metadata', 'name');
    if (!apiVersion || !kind || !name) {
      problems.push(`document ${i + 1} lacks apiVersion, kind or metadata.name`);
      return;
    }
    if (kind.endsWith('List')) {
      problems.push(`document ${i + 1} is a ${kind}; give its items as separate documents`);
      return;
    }
    const namespace = str(obj, 'metadata', 'namespace');
    objects.push({ apiVersion, kind, name, ...(namespace ? { namespace } : {}), text: doc.toString(), object: obj });
  });
  if (objects.length === 0 && problems.length === 0) problems.push('the manifests hold no object');

  const images = new Set<string>();
  for (const o of objects) ondatImages(o.object, images);
  for (const image of images) {
    if (!isPinned(image)) problems.push(`image ${image} is not pinned; name the exact v${TARGET_VERSION} tag (or a digest)`);
    const ref = parseImage(image);
    if (ref.repository === 'storageos/node') {
      const v = versionOfTag(ref.tag);
      if (ref.tag !== undefined && v !== TARGET_VERSION) problems.push(`node image ${image} is not v${TARGET_VERSION}`);
    }
  }
  return { objects: applyOrder(objects), problems };
}
