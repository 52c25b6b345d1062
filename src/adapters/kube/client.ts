// The Kubernetes operations the procedures need, on one explicitly named context: paginated lists, get, create or
// adopt, delete (404 = already gone) and wait until gone, patch and scale, watch with reconnect, pod state, events
// and logs. Every call goes through the context's keep-alive transport with bounded timeouts.
import {
  KubeConflictError,
  KubeGoneError,
  KubeLogsUnavailableError,
  KubeApiError,
  KubeNotFoundError,
  KubeTarget,
  KubeWaitTimeoutError,
} from './errors';
import { podState, PodState } from './pod-state';
import { apiVersionOf, ResourceType, resourceName, resourcePath, Resources } from './resources';
import type { KubeTransport } from './transport';
import type { KubeEvent, KubeList, KubeObject, Pod, WatchEvent } from './types';
import { watchResource, WatchOptions } from './watch';
import { sleep } from '../../core/abort';

export interface CallOptions {
  namespace?: string;
  signal?: AbortSignal;
  /** Overrides the transport's request timeout. */
  timeoutMs?: number;
}

export interface ListOptions extends CallOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per page (the `limit` parameter). Default 500, as kubectl. */
  pageSize?: number;
}

export type PatchStrategy = 'merge' | 'strategic' | 'json';

const PATCH_TYPES: Record<PatchStrategy, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export type CreateOutcome = 'created' | 'adopted' | 'replaced';

export interface CreateOrAdoptOptions<T extends KubeObject> extends CallOptions {
  /**
   * Decides about an object that already exists (e.g. left by an interrupted run): `adopt` keeps it,
   * `replace` deletes it, waits until it is gone and creates it again, `conflict` throws. Default: adopt.
   */
  decide?: (existing: T) => 'adopt' | 'replace' | 'conflict';
  /** Bound on waiting for the old object to go when replacing. Default 2 minutes. */
  replaceTimeoutMs?: number;
}

export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
}

export interface WaitGoneOptions extends CallOptions {
  timeoutMs?: number;
  /** Only this incarnation of the object counts (a new object with the same name means the old one is gone). */
  uid?: string;
}

export interface LogOptions extends CallOptions {
  container?: string;
  tailLines?: number;
  previous?: boolean;
}

export interface EventFilter extends CallOptions {
  kind?: string;
  name?: string;
  uid?: string;
}

function namespaceFor(type: ResourceType, options: CallOptions, obj?: KubeObject): string | undefined {
  if (!type.namespaced) return undefined;
  return obj?.metadata?.namespace ?? options.namespace;
}

export class KubeClient {
  constructor(readonly transport: KubeTransport) {}

  get target(): KubeTarget {
    return this.transport.target;
  }

  get context(): string {
    return this.target.context;
  }

  close(): void {
    this.transport.close();
  }

  /** The server's version; a cheap reachability check. */
  version(options: CallOptions = {}): Promise<{ gitVersion: string; major: string; minor: string }> {
    return this.transport.json({ method: 'GET', path: '/version', signal: options.signal, timeoutMs: options.timeoutMs, call: { verb: 'get', resource: 'version' } });
  }

  /** Pages through a collection with limit/continue. A continue token that expired restarts the listing once. */
  async *listPages<T extends KubeObject>(type: ResourceType, options: ListOptions = {}): AsyncGenerator<KubeList<T>> {
    const ns = type.namespaced ? options.namespace : undefined;
    let token: string | undefined;
    let restarted = false;
    for (let page = 0; page < 100_000; page++) {
      let result: KubeList<T>;
      try {
        result = await this.transport.json<KubeList<T>>({
          method: 'GET',
          path: resourcePath(type, ns),
          query: { limit: options.pageSize ?? 500, continue: token, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
          signal: options.signal,
          timeoutMs: options.timeoutMs,
          call: { verb: 'list', resource: resourceName(type), namespace: ns },
        });
      } catch (err) {
        if (err instanceof KubeGoneError && token && !restarted) {
          restarted = true;
          token = undefined;
          continue;
        }
        throw err;
      }
      yield result;
      token = result.metadata?.continue || undefined;
      if (!token) return;
    }
  }

  /** Every item of a collection (all pages); resourceVersion is the last page's, to start a watch from. */
  async list<T extends KubeObject>(type: ResourceType, options: ListOptions = {}): Promise<KubeList<T>> {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    for await (const page of this.listPages<T>(type, options)) {
      items.push(...page.items);
      resourceVersion = page.metadata?.resourceVersion;
    }
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
  }

  get<T extends KubeObject>(type: ResourceType, name: string, options: CallOptions = {}): Promise<T> {
    const ns = namespaceFor(type, options);
    return this.transport.json<T>({
      method: 'GET',
      path: resourcePath(type, ns, name),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      call: { verb: 'get', resource: resourceName(type), namespace: ns, name },
    });
  }

  /** The object, or undefined when it does not exist. */
  async find<T extends KubeObject>(type: ResourceType, name: string, options: CallOptions = {}): Promise<T | undefined> {
    try {
      return await this.get<T>(type, name, options);
    } catch (err) {
      if (err instanceof KubeNotFoundError) return undefined;
      throw err;
    }
  }

  create<T extends KubeObject>(type: ResourceType, obj: T, options: CallOptions = {}): Promise<T> {
    const ns = namespaceFor(type, options, obj);
    return this.transport.json<T>({
      method: 'POST',
      path: resourcePath(type, ns),
      body: { apiVersion: apiVersionOf(type), kind: type.kind, ...obj },
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      call: { verb: 'create', resource: resourceName(type), namespace: ns, name: obj.metadata?.name },
    });
  }

  /**
   * Creates the object; when it already exists (409 AlreadyExists, e.g. after an interrupted run) adopts it or
   * replaces it as `decide` says, instead of failing like `kubectl create` under `set -e`.
   */
  async createOrAdopt<T extends KubeObject>(
    type: ResourceType,
    obj: T,
    options: CreateOrAdoptOptions<T> = {},
  ): Promise<{ object: T; outcome: CreateOutcome }> {
    const name = obj.metadata?.name ?? '';
    const ns = namespaceFor(type, options, obj);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return { object: await this.create(type, obj, options), outcome: attempt === 0 ? 'created' : 'replaced' };
      } catch (err) {
        if (!(err instanceof KubeConflictError && err.reason === 'AlreadyExists')) throw err;
      }
      const existing = await this.find<T>(type, name, { ...options, namespace: ns });
      if (!existing) continue; // deleted meanwhile: create again
      const decision = options.decide?.(existing) ?? 'adopt';
      if (decision === 'adopt') return { object: existing, outcome: 'adopted' };
      if (decision === 'conflict') {
        throw new KubeConflictError(this.target, 'AlreadyExists', `create ${resourceName(type)}/${name}`, 'an object with this name already exists and may not be adopted');
      }
      await this.delete(type, name, { ...options, namespace: ns, propagationPolicy: 'Foreground' });
      await this.waitUntilGone(type, name, { ...options, namespace: ns, uid: existing.metadata?.uid, timeoutMs: options.replaceTimeoutMs ?? 120_000 });
    }
    throw new KubeConflictError(this.target, 'AlreadyExists', `create ${resourceName(type)}/${name}`, 'the object kept reappearing while it was being replaced');
  }

  /** Deletes the object; one that does not exist counts as already gone. */
  async delete(type: ResourceType, name: string, options: DeleteOptions = {}): Promise<'deleted' | 'already-gone'> {
    const ns = namespaceFor(type, options);
    try {
      await this.transport.json({
        method: 'DELETE',
        path: resourcePath(type, ns, name),
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: options.propagationPolicy ?? 'Background', gracePeriodSeconds: options.gracePeriodSeconds },
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        call: { verb: 'delete', resource: resourceName(type), namespace: ns, name },
      });
      return 'deleted';
    } catch (err) {
      if (err instanceof KubeNotFoundError) return 'already-gone';
      throw err;
    }
  }

  /** Polls until the object no longer exists (or was replaced by one with another uid), within the bound. */
  async waitUntilGone(type: ResourceType, name: string, options: WaitGoneOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    let lastSeen = 'not looked yet';
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const existing = await this.find(type, name, { ...options, timeoutMs: Math.min(options.timeoutMs ?? 30_000, 30_000) });
      if (!existing || (options.uid && existing.metadata?.uid !== options.uid)) return;
      lastSeen = existing.metadata?.deletionTimestamp
        ? `terminating since ${existing.metadata.deletionTimestamp}${existing.metadata.finalizers?.length ? `, finalizers ${existing.metadata.finalizers.join(', ')}` : ''}`
        : 'present, not being deleted';
      if (options.signal?.aborted) throw options.signal.reason;
      await sleep(Math.min(100 * 2 ** attempt, 1_000), options.signal);
    }
    const ns = namespaceFor(type, options);
    throw new KubeWaitTimeoutError(this.target, `${resourceName(type)}/${name}${ns ? ` in namespace "${ns}"` : ''} to be gone`, timeoutMs, lastSeen);
  }

  patch<T extends KubeObject>(
    type: ResourceType,
    name: string,
    patch: unknown,
    options: CallOptions & { strategy?: PatchStrategy; subresource?: string } = {},
  ): Promise<T> {
    const ns = namespaceFor(type, options);
    return this.transport.json<T>({
      method: 'PATCH',
      path: resourcePath(type, ns, name, options.subresource),
      body: patch,
      contentType: PATCH_TYPES[options.strategy ?? 'merge'],
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      call: { verb: 'patch', resource: `${resourceName(type)}${options.subresource ? `/${options.subresource}` : ''}`, namespace: ns, name },
    });
  }

  /** Sets the replica count through the scale subresource (what `kubectl scale` does). */
  async scale(type: ResourceType, name: string, replicas: number, options: CallOptions = {}): Promise<number> {
    const scale = await this.patch<KubeObject & { spec?: { replicas?: number } }>(type, name, { spec: { replicas } }, { ...options, subresource: 'scale' });
    return scale.spec?.replicas ?? replicas;
  }

  /** Watches a collection, reconnecting after disconnects (see watch.ts). Stop it with the signal or `break`. */
  watch<T extends KubeObject>(type: ResourceType, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    return watchResource<T>(this.transport, (t, o) => this.list<T>(t, o), type, options);
  }

  /** The state of every pod matching the selector, as kubectl shows it. */
  async podStates(options: ListOptions = {}): Promise<PodState[]> {
    const pods = await this.list<Pod>(Resources.pods, options);
    return pods.items.map(podState);
  }

  /** Events about an object (or a namespace's events), oldest first. */
  async events(filter: EventFilter = {}): Promise<KubeEvent[]> {
    const fields = [
      filter.kind ? `involvedObject.kind=${filter.kind}` : '',
      filter.name ? `involvedObject.name=${filter.name}` : '',
      filter.uid ? `involvedObject.uid=${filter.uid}` : '',
    ].filter(Boolean);
    const list = await this.list<KubeEvent>(Resources.events, { ...filter, fieldSelector: fields.join(',') || undefined });
    const time = (e: KubeEvent): string => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';
    return list.items.sort((a, b) => time(a).localeCompare(time(b)));
  }

  /** A container's log. Clusters whose kubelets the API server cannot reach answer with KubeLogsUnavailableError. */
  async logs(pod: string, options: LogOptions & { namespace: string }): Promise<string> {
    try {
      return await this.transport.text({
        method: 'GET',
        path: resourcePath(Resources.pods, options.namespace, pod, 'log'),
        query: { container: options.container, tailLines: options.tailLines, previous: options.previous },
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        call: { verb: 'get', resource: 'pods/log', namespace: options.namespace, name: pod },
      });
    } catch (err) {
      // The API server proxies logs from the kubelet; when it cannot reach it the answer is a 5xx (or a 400 for a
      // container that has not started), not an RBAC or name problem.
      if (err instanceof KubeApiError && !(err instanceof KubeNotFoundError) && (err.status >= 500 || err.status === 400)) {
        throw new KubeLogsUnavailableError(this.target, pod, options.namespace, err.serverMessage);
      }
      throw err;
    }
  }
}
