// A watch that survives disconnects: it resumes from the last resourceVersion it saw, re-lists when the server no
// longer has that version (410 Gone) and reports objects that vanished meanwhile as DELETED, and gives up only after
// the API server has been unreachable for longer than the outage budget.
import type { IncomingMessage } from 'http';
import { StringDecoder } from 'string_decoder';
import { KubeApiError, KubeGoneError, KubeTimeoutError, KubeUnreachableError } from './errors';
import { ResourceType, resourceName, resourcePath } from './resources';
import type { KubeTransport } from './transport';
import type { KubeList, KubeObject, WatchEvent } from './types';
import { sleep } from '../../core/abort';

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Resume from here; when omitted the watch lists first and reports every existing object as ADDED. */
  resourceVersion?: string;
  signal?: AbortSignal;
  /** How long the server may be unreachable before the watch fails. Default 2 minutes. */
  outageBudgetMs?: number;
  /** Called before each reconnection, e.g. to log it. */
  onReconnect?: (reason: unknown, attempt: number) => void;
}

/** Server-side watch timeout; the client also gives up on a silent connection a little after it. */
const WATCH_SECONDS = 240;

function keyOf(o: KubeObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function retryable(err: unknown): boolean {
  if (err instanceof KubeUnreachableError || err instanceof KubeTimeoutError) return true;
  if (err instanceof KubeApiError) return err.status === 429 || err.status >= 500;
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** Lines of a response body. Built on the stream's own iterator, which also ends (with an error) when the stream is
 * destroyed, e.g. on abort; readline's iterator would wait forever in that case. */
async function* lines(stream: IncomingMessage): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  for await (const chunk of stream) {
    buffer += decoder.write(chunk as Buffer);
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      yield buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  }
  buffer += decoder.end();
  if (buffer) yield buffer;
}

export async function* watchResource<T extends KubeObject>(
  transport: KubeTransport,
  list: (type: ResourceType, options: WatchOptions) => Promise<KubeList<T>>,
  type: ResourceType,
  options: WatchOptions,
): AsyncGenerator<WatchEvent<T>> {
  const { signal } = options;
  const budget = options.outageBudgetMs ?? 120_000;
  const known = new Map<string, T>();
  let resourceVersion = options.resourceVersion;
  let failingSince: number | undefined;
  let attempt = 0;

  /** Lists afresh and reports the difference to what the caller has seen: new objects as ADDED, changed ones as
   * MODIFIED, vanished ones as DELETED; unchanged ones are not repeated. */
  async function* relist(): AsyncGenerator<WatchEvent<T>> {
    const current = await list(type, options);
    const seen = new Set<string>();
    for (const item of current.items) {
      const key = keyOf(item);
      seen.add(key);
      const before = known.get(key);
      known.set(key, item);
      if (!before || before.metadata?.uid !== item.metadata?.uid) {
        if (before) yield { type: 'DELETED', object: before };
        yield { type: 'ADDED', object: item };
      } else if (before.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
        yield { type: 'MODIFIED', object: item };
      }
    }
    for (const [key, item] of known) {
      if (!seen.has(key)) {
        known.delete(key);
        yield { type: 'DELETED', object: item };
      }
    }
    resourceVersion = current.metadata?.resourceVersion;
  }

  if (resourceVersion === undefined) yield* relist();

  // Bounded: each round either reads events (and resets the budget) or consumes outage budget.
  while (!signal?.aborted) {
    let stream: IncomingMessage | undefined;
    let idle: NodeJS.Timeout | undefined;
    const opened = Date.now();
    let received = 0;
    try {
      stream = await transport.stream({
        method: 'GET',
        path: resourcePath(type, options.namespace),
        query: {
          watch: true,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: WATCH_SECONDS,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
        },
        signal,
        call: { verb: 'watch', resource: resourceName(type), namespace: options.namespace },
      });
      const s = stream;
      const armIdle = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => s.destroy(new Error('watch connection silent')), (WATCH_SECONDS + 30) * 1000);
      };
      armIdle();
      const onAbort = (): void => {
        s.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const line of lines(s)) {
          armIdle();
          if (!line.trim()) continue;
          received++;
          const event = JSON.parse(line) as { type: string; object: T & { code?: number; message?: string } };
          if (event.type === 'ERROR') {
            const status = event.object;
            if (status.code === 410) throw new KubeGoneError(transport.target, `watch ${resourceName(type)}`, status.message ?? 'expired');
            throw new KubeApiError(transport.target, status.code ?? 500, 'WatchError', `watch ${resourceName(type)}`, status.message ?? 'watch error');
          }
          failingSince = undefined;
          attempt = 0;
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          if (event.type === 'BOOKMARK') continue;
          if (event.type === 'DELETED') known.delete(keyOf(event.object));
          else known.set(keyOf(event.object), event.object);
          yield { type: event.type as WatchEvent['type'], object: event.object };
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      // The server closed the watch (its timeout, or it is shutting down): resume from where we are; a server that
      // keeps closing at once counts against the outage budget like an error.
      if (received === 0 && Date.now() - opened < 1000) throw new KubeUnreachableError(transport.target, 'the watch was closed at once');
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof KubeGoneError) {
        resourceVersion = undefined;
        yield* relist();
        continue;
      }
      if (!retryable(err)) throw err;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > budget) throw err;
      attempt++;
      options.onReconnect?.(err, attempt);
      await sleep(Math.min(200 * 2 ** Math.min(attempt, 5), 5_000), signal);
    } finally {
      clearTimeout(idle);
      stream?.destroy();
    }
  }
}
