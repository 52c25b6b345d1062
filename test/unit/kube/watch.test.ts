// Watch resume logic against a fake API server: resume from the last resourceVersion, re-list on 410 reporting
// only differences, give up on errors that waiting cannot fix, and after the outage budget.
import * as assert from 'assert';
import { KubeForbiddenError, KubeObject, KubeUnreachableError, Resources, WatchEvent } from '../../../src/adapters/kube/index';
import { FakeApi, status } from './fake-api';

const cm = (name: string, rv: string, uid = `uid-${name}`): KubeObject => ({ kind: 'ConfigMap', metadata: { name, namespace: 'n', resourceVersion: rv, uid } });

async function take(events: AsyncGenerator<WatchEvent<KubeObject>>, count: number): Promise<string[]> {
  const out: string[] = [];
  for await (const e of events) {
    out.push(`${e.type} ${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}`);
    if (out.length === count) break;
  }
  return out;
}

describe('kube adapter: watch (fake API server)', function () {
  let api: FakeApi;
  afterEach(async () => api?.stop());

  it('lists first, then resumes each new watch from the last resourceVersion it saw', async function () {
    let watches = 0;
    api = await new FakeApi((_r, url) => {
      if (url.searchParams.get('watch') !== 'true') return { body: { metadata: { resourceVersion: '10' }, items: [cm('a', '5')] } };
      watches++;
      if (watches === 1) return { lines: [{ type: 'ADDED', object: cm('b', '11') }, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } }] };
      return { lines: [{ type: 'MODIFIED', object: cm('a', '16') }], hold: true };
    }).start();
    const client = api.client();
    try {
      const got = await take(client.watch(Resources.configMaps, { namespace: 'n' }), 3);
      assert.deepStrictEqual(got, ['ADDED a@5', 'ADDED b@11', 'MODIFIED a@16']);
      const rvs = api.requests.filter((r) => r.url.searchParams.get('watch') === 'true').map((r) => r.url.searchParams.get('resourceVersion'));
      assert.deepStrictEqual(rvs, ['10', '15']);
      assert.strictEqual(api.requests[1].url.searchParams.get('allowWatchBookmarks'), 'true');
    } finally {
      client.close();
    }
  });

  it('re-lists after 410 Gone and reports only what changed meanwhile', async function () {
    let lists = 0;
    api = await new FakeApi((_r, url) => {
      if (url.searchParams.get('watch') !== 'true') {
        lists++;
        return lists === 1
          ? { body: { metadata: { resourceVersion: '10' }, items: [cm('same', '1'), cm('changed', '2'), cm('removed', '3'), cm('recreated', '4', 'old')] } }
          : { body: { metadata: { resourceVersion: '50' }, items: [cm('same', '1'), cm('changed', '20'), cm('recreated', '30', 'new'), cm('new', '40')] } };
      }
      if (url.searchParams.get('resourceVersion') === '10') return { lines: [{ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version: 10 (45)' } }] };
      return { lines: [], hold: true };
    }).start();
    const client = api.client();
    try {
      const got = await take(client.watch(Resources.configMaps, { namespace: 'n' }), 9);
      assert.deepStrictEqual(got, [
        'ADDED same@1', 'ADDED changed@2', 'ADDED removed@3', 'ADDED recreated@4',
        'MODIFIED changed@20', 'DELETED recreated@4', 'ADDED recreated@30', 'ADDED new@40', 'DELETED removed@3',
      ]);
    } finally {
      client.close();
    }
  });

  it('fails at once on an error that waiting cannot fix (403)', async function () {
    api = await new FakeApi(() => status(403, 'Forbidden', 'configmaps is forbidden')).start();
    const client = api.client();
    try {
      await assert.rejects(take(client.watch(Resources.configMaps, { namespace: 'n', resourceVersion: '1' }), 1), (err: unknown) => {
        assert.ok(err instanceof KubeForbiddenError);
        assert.strictEqual(err.verb, 'watch');
        return true;
      });
    } finally {
      client.close();
    }
  });

  it('retries while the server is away and gives up after the outage budget', async function () {
    api = await new FakeApi(() => status(503, 'ServiceUnavailable', 'apiserver is shutting down')).start();
    const client = api.client();
    let reconnects = 0;
    try {
      await assert.rejects(
        take(client.watch(Resources.configMaps, { namespace: 'n', resourceVersion: '1', outageBudgetMs: 1_000, onReconnect: () => reconnects++ }), 1),
        /HTTP 503 ServiceUnavailable/,
      );
      assert.ok(reconnects >= 2, `${reconnects} reconnects`);
    } finally {
      client.close();
    }
  });

  it('counts a server that closes every watch at once against the budget', async function () {
    api = await new FakeApi(() => ({ lines: [] })).start();
    const client = api.client();
    try {
      await assert.rejects(take(client.watch(Resources.configMaps, { namespace: 'n', resourceVersion: '1', outageBudgetMs: 800 }), 1), KubeUnreachableError);
    } finally {
      client.close();
    }
  });

  it('ends quietly when its signal is aborted', async function () {
    api = await new FakeApi(() => ({ lines: [], hold: true })).start();
    const client = api.client();
    const ac = new AbortController();
    try {
      setTimeout(() => ac.abort(), 100);
      assert.deepStrictEqual(await take(client.watch(Resources.configMaps, { namespace: 'n', resourceVersion: '1', signal: ac.signal }), 1), []);
    } finally {
      client.close();
    }
  });
});
