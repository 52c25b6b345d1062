// One client per context: the pool hands out the same client (and connection pool) for a context every time.
import * as assert from 'assert';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { KubeClientPool, KubeconfigError, kubeconfigFiles, loadKubeconfig } from '../../../src/adapters/kube/index';

describe('kube adapter: client pool', function () {
  let dir: string;
  let file: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'backout-pool-'));
    file = join(dir, 'config');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'a', cluster: { server: 'https://a.example:6443' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [
          { name: 'one', context: { cluster: 'a', user: 'u' } },
          { name: 'two', context: { cluster: 'a', user: 'u', namespace: 'x' } },
          { name: 'dangling', context: { cluster: 'missing', user: 'u' } },
        ],
        'current-context': 'one',
      }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('returns one client per context, each naming its context', function () {
    const pool = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })));
    try {
      const one = pool.get('one');
      assert.strictEqual(pool.get('one'), one);
      const two = pool.get('two');
      assert.notStrictEqual(two, one);
      assert.deepStrictEqual([one.context, two.context, two.target.server], ['one', 'two', 'https://a.example:6443']);
    } finally {
      pool.close();
    }
  });

  it('refuses a context whose cluster no file defines, and an unknown context', function () {
    const pool = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: file } })));
    assert.throws(() => pool.get('dangling'), (err: unknown) => err instanceof KubeconfigError && /names cluster "missing", which no kubeconfig file defines/.test(err.message));
    assert.throws(() => pool.get('nope'), KubeconfigError);
  });
});
