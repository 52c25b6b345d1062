// Large lists: 5,000 pods read page by page (limit/continue), and the concurrent lists behind "which pods use an
// Ondat volume", compared with what the fixture created.
import * as assert from 'assert';
import { KubeClient, Pod, Resources, kubeClientFor, kubeconfigFiles, loadKubeconfig, volumeUsers } from '../../../src/adapters/kube/index';
import { KubeLab } from '../../../lab/kube/lab';
import { BULK_LABEL, bulkObjects } from '../../../lab/kube/fixtures/bulk';
import { ONDAT_PROVISIONER, WORKLOAD_NAMESPACE } from '../../../lab/kube/fixtures/ondat';
import { BULK, bulkInstalled } from './lab';

describe('kube adapter: pagination (lab, 5,000 pods)', function () {
  this.timeout(300_000);
  let client: KubeClient;

  before(async function () {
    const lab = await bulkInstalled();
    client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })), KubeLab.contexts.admin);
  });
  after(() => client.close());

  it('lists 5,000 pods across namespaces in pages of the requested size', async function () {
    const sizes: number[] = [];
    const names = new Set<string>();
    for await (const page of client.listPages<Pod>(Resources.pods, { labelSelector: `${BULK_LABEL}=true`, pageSize: 500 })) {
      sizes.push(page.items.length);
      for (const p of page.items) names.add(`${p.metadata?.namespace}/${p.metadata?.name}`);
    }
    assert.strictEqual(names.size, BULK.pods);
    // With a selector the server may return short pages; it never returns more than the limit.
    assert.ok(sizes.length >= BULK.pods / 500, sizes.join(','));
    assert.ok(sizes.every((n) => n <= 500), sizes.join(','));
  });

  it('returns the same items through list() with a small page size', async function () {
    const list = await client.list<Pod>(Resources.pods, { labelSelector: `${BULK_LABEL}=true`, pageSize: 1200 });
    assert.strictEqual(list.items.length, BULK.pods);
    assert.ok(list.metadata?.resourceVersion);
  });

  it('finds every pod that mounts a PVC of the Ondat provisioner, with all lists run at once over one connection pool', async function () {
    const users = await volumeUsers(client, ONDAT_PROVISIONER);
    const expectedBulk = bulkObjects(BULK).objects.filter(
      (o) => o.kind === 'PersistentVolumeClaim' && (o.spec as { storageClassName?: string }).storageClassName === 'storageos',
    ).length;
    const bulkUsers = users.filter((u) => u.namespace.startsWith('bulk-'));
    assert.strictEqual(bulkUsers.length, expectedBulk);
    const shop = users.filter((u) => u.namespace === WORKLOAD_NAMESPACE).map((u) => u.claim).sort();
    assert.deepStrictEqual(shop, ['data-shop-db-0', 'data-shop-db-1', 'web-data']);
    assert.strictEqual(client.transport.agentsCreated, 1);
  });
});
