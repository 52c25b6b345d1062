// The adapter's request logic against a fake API server: error mapping, paging, adopt-on-409, delete-404, timeouts,
// cancellation and connection reuse.
import * as assert from 'assert';
import {
  KubeApiError,
  KubeClient,
  KubeForbiddenError,
  KubeNotFoundError,
  KubeObject,
  KubeTimeoutError,
  KubeUnauthorizedError,
  Resources,
} from '../../../src/adapters/kube/index';
import { FakeApi, status } from './fake-api';

describe('kube adapter: requests (fake API server)', function () {
  let api: FakeApi;
  let client: KubeClient;

  afterEach(async function () {
    client?.close();
    await api?.stop();
  });

  async function serve(route: ConstructorParameters<typeof FakeApi>[0], options = {}): Promise<void> {
    api = await new FakeApi(route).start();
    client = api.client(options);
  }

  it('sends the context user\'s bearer token', async function () {
    await serve((req) => ({ body: { gitVersion: 'v1.20.2', auth: req.headers.authorization } }));
    const v = (await client.version()) as unknown as { auth: string };
    assert.strictEqual(v.auth, 'Bearer fake-token');
  });

  it('turns a 403 into KubeForbiddenError with verb, resource and namespace', async function () {
    await serve(() => status(403, 'Forbidden', 'daemonsets.apps is forbidden: User "tester" cannot list resource "daemonsets"'));
    await assert.rejects(client.list(Resources.daemonSets, { namespace: 'storageos' }), (err: unknown) => {
      assert.ok(err instanceof KubeForbiddenError);
      assert.deepStrictEqual([err.verb, err.resource, err.namespace], ['list', 'daemonsets.apps', 'storageos']);
      assert.strictEqual(err.code, 'kube-forbidden');
      assert.match(err.message, /^Kubernetes context "fake" \(http:\/\/127\.0\.0\.1:\d+\): user "tester" may not list daemonsets\.apps in namespace "storageos"/);
      return true;
    });
  });

  it('says "cluster-wide" for a 403 on a cluster-scoped resource', async function () {
    await serve(() => status(403, 'Forbidden', 'nodes is forbidden'));
    await assert.rejects(client.list(Resources.nodes), /may not list nodes \(cluster-wide\)/);
  });

  it('turns a 401 into KubeUnauthorizedError', async function () {
    await serve(() => status(401, 'Unauthorized', 'Unauthorized'));
    await assert.rejects(client.version(), KubeUnauthorizedError);
  });

  it('keeps the server\'s reason and message for other failures, also when the body is not JSON', async function () {
    await serve((_r, url) => (url.pathname.endsWith('/a') ? status(422, 'Invalid', 'spec.replicas: Invalid value: -1') : { status: 502, body: 'bad gateway' }));
    await assert.rejects(client.get(Resources.deployments, 'a', { namespace: 'x' }), (err: unknown) => {
      assert.ok(err instanceof KubeApiError);
      assert.strictEqual(err.status, 422);
      assert.strictEqual(err.reason, 'Invalid');
      assert.match(err.message, /get deployments\.apps\/a in namespace "x" failed: HTTP 422 Invalid: spec\.replicas: Invalid value: -1/);
      return true;
    });
    await assert.rejects(client.get(Resources.deployments, 'b', { namespace: 'x' }), /HTTP 502 Bad Gateway: "bad gateway"/);
  });

  it('pages with limit and continue until the server stops giving a token', async function () {
    const pages: Record<string, { items: Array<{ metadata: { name: string } }>; next?: string }> = {
      '': { items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }], next: 't1' },
      t1: { items: [{ metadata: { name: 'c' } }, { metadata: { name: 'd' } }], next: 't2' },
      t2: { items: [{ metadata: { name: 'e' } }] },
    };
    await serve((_r, url) => {
      const page = pages[url.searchParams.get('continue') ?? ''];
      return { body: { kind: 'PodList', metadata: { resourceVersion: '42', continue: page.next }, items: page.items } };
    });
    const list = await client.list(Resources.pods, { namespace: 'ns', pageSize: 2, labelSelector: 'app=x' });
    assert.deepStrictEqual(list.items.map((p) => p.metadata?.name), ['a', 'b', 'c', 'd', 'e']);
    assert.strictEqual(list.metadata?.resourceVersion, '42');
    assert.deepStrictEqual(api.requests.map((r) => [r.url.pathname, r.url.searchParams.get('limit'), r.url.searchParams.get('continue'), r.url.searchParams.get('labelSelector')]), [
      ['/api/v1/namespaces/ns/pods', '2', null, 'app=x'],
      ['/api/v1/namespaces/ns/pods', '2', 't1', 'app=x'],
      ['/api/v1/namespaces/ns/pods', '2', 't2', 'app=x'],
    ]);
  });

  it('restarts a listing once when its continue token expired (410)', async function () {
    let expired = false;
    await serve((_r, url) => {
      const token = url.searchParams.get('continue');
      if (token === 'old' && !expired) {
        expired = true;
        return status(410, 'Expired', 'The provided continue parameter is too old');
      }
      if (!token) return { body: { metadata: { continue: expired ? undefined : 'old' }, items: [{ metadata: { name: expired ? 'fresh' : 'stale' } }] } };
      return { body: { metadata: {}, items: [] } };
    });
    const list = await client.list(Resources.pods);
    assert.deepStrictEqual(list.items.map((p) => p.metadata?.name), ['stale', 'fresh']);
    assert.strictEqual(api.requests.length, 3);
  });

  it('counts deleting a missing object as already gone', async function () {
    await serve(() => status(404, 'NotFound', 'daemonsets.apps "x" not found'));
    assert.strictEqual(await client.delete(Resources.daemonSets, 'x', { namespace: 'kube-system' }), 'already-gone');
    assert.strictEqual(api.requests[0].method, 'DELETE');
    assert.deepStrictEqual(JSON.parse(api.requests[0].body), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  });

  it('adopts the existing object on 409 AlreadyExists', async function () {
    await serve((req) =>
      req.method === 'POST'
        ? status(409, 'AlreadyExists', 'daemonsets.apps "d" already exists')
        : { body: { kind: 'DaemonSet', metadata: { name: 'd', namespace: 'kube-system', uid: 'u-1' } } },
    );
    const wanted: KubeObject = { metadata: { name: 'd', namespace: 'kube-system' } };
    const result = await client.createOrAdopt(Resources.daemonSets, wanted);
    assert.strictEqual(result.outcome, 'adopted');
    assert.strictEqual(result.object.metadata?.uid, 'u-1');
    const post = api.requests.find((r) => r.method === 'POST');
    assert.deepStrictEqual(JSON.parse(post?.body ?? '{}').kind, 'DaemonSet');
    assert.strictEqual(post?.url.pathname, '/apis/apps/v1/namespaces/kube-system/daemonsets');
  });

  it('does not adopt when told that an existing object is a conflict', async function () {
    await serve((req) => (req.method === 'POST' ? status(409, 'AlreadyExists', 'exists') : { body: { metadata: { name: 'd', uid: 'u' } } }));
    await assert.rejects(client.createOrAdopt(Resources.configMaps, { metadata: { name: 'd', namespace: 'n' } }, { decide: () => 'conflict' }), /already exists and may not be adopted/);
  });

  it('sends a merge patch to the scale subresource', async function () {
    await serve((_r, url, body) => ({ body: { kind: 'Scale', spec: JSON.parse(body).spec, path: url.pathname } }));
    assert.strictEqual(await client.scale(Resources.deployments, 'op', 0, { namespace: 'storageos' }), 0);
    assert.strictEqual(api.requests[0].url.pathname, '/apis/apps/v1/namespaces/storageos/deployments/op/scale');
    assert.strictEqual(api.requests[0].method, 'PATCH');
  });

  it('waits until an object is gone, and gives up with what it last saw', async function () {
    let gets = 0;
    await serve(() => (++gets < 3 ? { body: { metadata: { name: 'x', uid: 'u', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['f'] } } } : status(404, 'NotFound', 'gone')));
    await client.waitUntilGone(Resources.pods, 'x', { namespace: 'n', timeoutMs: 10_000 });
    assert.strictEqual(gets, 3);
    await api.stop();
    await serve(() => ({ body: { metadata: { name: 'x', uid: 'u', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['storageos.com/finalizer'] } } }));
    await assert.rejects(client.waitUntilGone(Resources.pods, 'x', { namespace: 'n', timeoutMs: 400 }), /gave up waiting 0 s for pods\/x in namespace "n" to be gone; last seen: terminating since 2026-01-01T00:00:00Z, finalizers storageos\.com\/finalizer/);
  });

  it('counts an object replaced by a new one with the same name as gone', async function () {
    await serve(() => ({ body: { metadata: { name: 'x', uid: 'new' } } }));
    await client.waitUntilGone(Resources.daemonSets, 'x', { namespace: 'n', uid: 'old', timeoutMs: 1_000 });
  });

  it('times out a request that gets no answer, naming the call', async function () {
    await serve(() => ({ silent: true }), { requestTimeoutMs: 200 });
    await assert.rejects(client.get(Resources.pods, 'p', { namespace: 'n' }), (err: unknown) => {
      assert.ok(err instanceof KubeTimeoutError);
      assert.match(err.message, /no answer to get pods\/p in namespace "n" within 0\.2 s/);
      return true;
    });
  });

  it('stops a request when its signal is aborted, with the signal\'s reason', async function () {
    await serve(() => ({ silent: true }));
    const ac = new AbortController();
    const reason = new Error('run cancelled');
    setTimeout(() => ac.abort(reason), 50);
    await assert.rejects(client.list(Resources.pods, { signal: ac.signal }), (err: unknown) => err === reason);
  });

  it('reuses one connection for sequential and concurrent requests', async function () {
    await serve(() => ({ body: { metadata: {}, items: [] } }), { maxSockets: 2 });
    for (let i = 0; i < 10; i++) await client.list(Resources.pods);
    await Promise.all(Array.from({ length: 6 }, () => client.list(Resources.pods)));
    assert.strictEqual(api.requests.length, 16);
    assert.ok(api.connections <= 2, `${api.connections} connections`);
    assert.strictEqual(client.transport.agentsCreated, 1);
  });

  it('reports logs that the API server cannot fetch from the kubelet as unavailable', async function () {
    await serve(() => status(500, 'InternalError', 'Get "https://10.0.0.5:10250/containerLogs/n/p/c": dial tcp 10.0.0.5:10250: connect: connection refused'));
    await assert.rejects(client.logs('p', { namespace: 'n', container: 'c' }), /logs of pod "p" in namespace "n" are not available/);
  });

  it('passes a 404 for logs of a missing pod through as not found', async function () {
    await serve(() => status(404, 'NotFound', 'pods "p" not found'));
    await assert.rejects(client.logs('p', { namespace: 'n' }), KubeNotFoundError);
  });
});
