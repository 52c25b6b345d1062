// Resource types for an apiVersion and kind: the known ones directly, any other through API discovery (the group
// version's resource list), once per client. A group version or kind the server does not serve resolves to
// undefined, which callers report as "not served" (e.g. the CRD is not installed).
import type { KubeClient } from './client';
import { KubeNotFoundError } from './errors';
import { ResourceType, resourceTypeOf } from './resources';

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

const cache = new WeakMap<KubeClient, Map<string, Promise<ApiResourceList | undefined>>>();

function groupVersionList(client: KubeClient, apiVersion: string): Promise<ApiResourceList | undefined> {
  let perClient = cache.get(client);
  if (!perClient) {
    perClient = new Map();
    cache.set(client, perClient);
  }
  let found = perClient.get(apiVersion);
  if (!found) {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    found = client.transport
      .json<ApiResourceList>({ method: 'GET', path, call: { verb: 'get', resource: `discovery ${apiVersion}` } })
      .catch((err: unknown) => {
        perClient?.delete(apiVersion);
        if (err instanceof KubeNotFoundError) return undefined;
        throw err;
      });
    perClient.set(apiVersion, found);
  }
  return found;
}

export async function resolveResourceType(client: KubeClient, apiVersion: string, kind: string): Promise<ResourceType | undefined> {
  const known = resourceTypeOf(apiVersion, kind);
  if (known) return known;
  const list = await groupVersionList(client, apiVersion);
  // Subresources ("deployments/scale") share the kind of their parent's scale object; skip them.
  const entry = list?.resources.find((r) => r.kind === kind && !r.name.includes('/'));
  if (!entry) return undefined;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { group, version, plural: entry.name, kind, namespaced: entry.namespaced };
}
