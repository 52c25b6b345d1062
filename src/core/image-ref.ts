// Container image references: their parts, whether they are pinned, and the version their tag names. Shared by
// the planners and the adapters that read images off a cluster.

export interface ImageRef {
  /** Registry host, when the reference names one (`quay.io`, `registry.local:5000`). */
  registry?: string;
  /** Path without registry, e.g. `storageos/node`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  if (registry === 'docker.io') registry = undefined;
  if (rest.startsWith('library/') && registry === undefined) rest = rest.slice('library/'.length);
  return { ...(registry ? { registry } : {}), repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `2.7.0` from tags like `v2.7.0`, `2.7.0`, `v2.7.0-rc1`; undefined for anything else (`latest`, a digest only). */
export function versionOfTag(tag: string | undefined): string | undefined {
  const m = tag ? /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(tag) : null;
  return m ? `${m[1]}.${m[2]}.${m[3]}` : undefined;
}

/** Pinned means a tag naming a version or a digest: never `latest`, never no tag at all. */
export function isPinned(ref: string): boolean {
  const img = parseImage(ref);
  if (img.digest) return true;
  return img.tag !== undefined && img.tag !== 'latest';
}
