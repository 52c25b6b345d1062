// Helm 3's release storage, as the stand-in keeps it: one Secret per revision, `sh.helm.release.v1.<name>.v<N>`, type
// helm.sh/release.v1, labels owner=helm, name, status, version, and data.release = base64(gzip(JSON of the release))
// (helm pkg/storage/driver/secrets.go newSecretsObject, util.go encodeRelease/decodeRelease). The API adds its own
// base64 for `data`. The real helm reads the same Secrets, so what the stand-in writes is what a cluster would hold.
import { gunzipSync, gzipSync } from 'zlib';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';

export type ReleaseStatus = 'deployed' | 'superseded' | 'failed' | 'pending-install' | 'pending-upgrade' | 'pending-rollback' | 'uninstalling' | 'uninstalled' | 'unknown';

export interface ChartMetadata {
  name: string;
  version: string;
  appVersion: string;
  apiVersion: string;
  description?: string;
  dependencies?: Array<{ name: string }>;
}

/** The release as Helm serialises it (helm pkg/release/release.go, info.go). */
export interface Release {
  name: string;
  namespace: string;
  version: number;
  info: { first_deployed: string; last_deployed: string; deleted: string; description: string; status: ReleaseStatus };
  chart: { metadata: ChartMetadata };
  /** The values the user supplied (-f, --set), not the chart's defaults. */
  config: Record<string, unknown>;
  manifest: string;
}

type SecretObject = KubernetesObject & { data?: Record<string, string>; type?: string };

export function secretName(name: string, revision: number): string {
  return `sh.helm.release.v1.${name}.v${revision}`;
}

function encode(r: Release): string {
  return gzipSync(Buffer.from(JSON.stringify(r))).toString('base64');
}

function decode(apiValue: string): Release {
  let bytes = Buffer.from(apiValue, 'base64');
  // Helm's own base64 inside the API's; gzip magic 1f 8b, or plain JSON from an old helm.
  if (!(bytes[0] === 0x1f && bytes[1] === 0x8b) && bytes[0] !== 0x7b) bytes = Buffer.from(bytes.toString('latin1'), 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')) as Release;
}

export class ReleaseStore {
  constructor(private readonly api: KubernetesObjectApi) {}

  /** Every revision of `name` in `namespace`, oldest first. */
  async history(name: string, namespace: string): Promise<Release[]> {
    const list = await this.api.list<SecretObject>('v1', 'Secret', namespace, undefined, undefined, undefined, undefined, `owner=helm,name=${name}`);
    return list.items.filter((s) => s.data?.release).map((s) => decode(s.data?.release as string)).sort((a, b) => a.version - b.version);
  }

  /** Every revision of every release in `namespace` (all namespaces when undefined). */
  async all(namespace: string | undefined): Promise<Release[]> {
    const list = await this.api.list<SecretObject>('v1', 'Secret', namespace, undefined, undefined, undefined, undefined, 'owner=helm');
    return list.items.filter((s) => s.data?.release).map((s) => decode(s.data?.release as string));
  }

  private object(r: Release): SecretObject {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName(r.name, r.version), namespace: r.namespace, labels: { owner: 'helm', name: r.name, status: r.info.status, version: String(r.version) } },
      type: 'helm.sh/release.v1',
      data: { release: Buffer.from(encode(r)).toString('base64') },
    };
  }

  async create(r: Release): Promise<void> {
    await this.api.create(this.object(r));
  }

  async update(r: Release): Promise<void> {
    await this.api.replace(this.object(r));
  }
}
