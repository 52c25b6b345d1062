// Helm's release records, read straight from their Secrets, so that no helm binary (nor the user's kubeconfig) is
// needed to learn which chart a release is. Helm's secrets driver (helm/pkg/storage/driver/secrets.go, util.go)
// stores each revision as Secret `sh.helm.release.v1.<name>.v<revision>` of type helm.sh/release.v1, labelled
// owner=helm, name=<name>, status=<status>, version=<revision>; its data key `release` holds base64(gzip(JSON of the
// release)), and the Secret's own base64 encoding comes on top in the API's JSON. Helm reads uncompressed JSON too.
import { gunzipSync } from 'zlib';
import { parseAllDocuments } from 'yaml';
import type { HelmObjectRef, HelmReleaseRevision } from '../../core/helm-release';

export const HELM_RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

const GZIP_MAGIC = [0x1f, 0x8b];

function isGzip(b: Buffer): boolean {
  return b.length > 2 && b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];
}

/** The release JSON from the Secret's `data.release` as the API returns it. */
export function decodeReleaseData(apiValue: string): unknown {
  const once = Buffer.from(apiValue, 'base64');
  let bytes = once;
  if (!isGzip(bytes) && bytes[0] !== '{'.charCodeAt(0)) bytes = Buffer.from(once.toString('latin1'), 'base64');
  if (isGzip(bytes)) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')) as unknown;
}

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

function s(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The objects of a rendered manifest (Helm joins templates with `---`). */
export function manifestObjects(manifest: string, defaultNamespace: string): HelmObjectRef[] {
  const out: HelmObjectRef[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    if (doc.errors.length > 0) continue;
    const o = rec(doc.toJS());
    const apiVersion = s(o.apiVersion);
    const kind = s(o.kind);
    const meta = rec(o.metadata);
    const name = s(meta.name);
    if (!apiVersion || !kind || !name) continue;
    const clusterScoped = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass'].includes(kind);
    out.push({ apiVersion, kind, name, ...(clusterScoped ? {} : { namespace: s(meta.namespace) ?? defaultNamespace }) });
  }
  return out;
}

/** One revision's summary, from a release Secret; undefined when it is not a readable Helm release. */
export function releaseRevision(secret: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; data?: Record<string, string> }): HelmReleaseRevision | string {
  const id = `${secret.metadata?.namespace}/${secret.metadata?.name}`;
  const data = secret.data?.release;
  if (!data) return `Secret ${id} has no data.release`;
  let release: Rec;
  try {
    release = rec(decodeReleaseData(data));
  } catch (err) {
    return `Secret ${id}: the release cannot be decoded (${err instanceof Error ? err.message : String(err)})`;
  }
  const info = rec(release.info);
  const meta = rec(rec(release.chart).metadata);
  const namespace = s(release.namespace) ?? secret.metadata?.namespace ?? '';
  const deps = Array.isArray(meta.dependencies) ? meta.dependencies.map((d) => s(rec(d).name)).filter((n): n is string => n !== undefined) : [];
  const appVersion = s(meta.appVersion);
  return {
    name: s(release.name) ?? secret.metadata?.labels?.name ?? '',
    namespace,
    revision: typeof release.version === 'number' ? release.version : Number(secret.metadata?.labels?.version ?? 0),
    status: s(info.status) ?? secret.metadata?.labels?.status ?? 'unknown',
    chart: s(meta.name) ?? '',
    chartVersion: s(meta.version) ?? '',
    ...(appVersion ? { appVersion } : {}),
    dependencies: deps,
    objects: manifestObjects(s(release.manifest) ?? '', namespace),
  };
}
