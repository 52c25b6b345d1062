// The Ondat 2.7.0 fixtures look like a running install in each of the three namings, as the adapter reads them.
import * as assert from 'assert';
import { KubeClient, KubeObject, Pod, Resources, kubeClientFor, kubeconfigFiles, loadKubeconfig } from '../../../src/adapters/kube/index';
import { KubeLab } from '../../../lab/kube/lab';
import { OndatVariant } from '../../../lab/kube/fixtures/naming';
import { ONDAT_NODE_IMAGE, ONDAT_PROVISIONER } from '../../../lab/kube/fixtures/ondat';
import { kubeLab, ondatInstalled } from './lab';

type Workload = KubeObject & {
  spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } };
  status?: { numberReady?: number; desiredNumberScheduled?: number; availableReplicas?: number };
};

describe('kube lab: Ondat 2.7.0 fixtures', function () {
  this.timeout(300_000);
  let lab: KubeLab;
  let client: KubeClient;

  before(async function () {
    lab = await kubeLab();
    client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })), KubeLab.contexts.admin);
  });
  after(() => client.close());

  const variants: Array<[OndatVariant, string, string, string]> = [
    ['current', 'storageos', 'storageos-operator', 'storageos'],
    ['legacy', 'storageos-operator', 'storageos-cluster-operator', 'kube-system'],
    ['helm', 'storageos', 'ondat-ondat-operator', 'storageos'],
  ];
  for (const [variant, operatorNs, operator, clusterNs] of variants) {
    it(`installs the ${variant} naming: operator ${operator} in ${operatorNs}, cluster in ${clusterNs}`, async function () {
      const naming = await ondatInstalled(variant);
      assert.deepStrictEqual([naming.operatorNamespace, naming.operatorName, naming.clusterNamespace], [operatorNs, operator, clusterNs]);
      const deployment = await client.get<Workload>(Resources.deployments, operator, { namespace: operatorNs });
      assert.strictEqual(deployment.status?.availableReplicas, 1);
      assert.strictEqual(deployment.metadata?.labels?.['app.kubernetes.io/component'], 'operator');
      if (variant === 'helm') {
        assert.strictEqual(deployment.metadata?.labels?.['control-plane'], 'storageos-operator');
        assert.strictEqual(deployment.metadata?.labels?.['app.kubernetes.io/managed-by'], 'Helm');
        assert.strictEqual(deployment.metadata?.annotations?.['meta.helm.sh/release-name'], 'ondat');
      }
      const clusters = await client.list<KubeObject & { status?: { phase?: string; ready?: string } }>(Resources.storageOSClusters, { namespace: clusterNs });
      assert.deepStrictEqual(clusters.items.map((c) => [c.status?.phase, c.status?.ready]), [['Running', `${lab.kubelet.nodeNames.length}/${lab.kubelet.nodeNames.length}`]]);
      const ds = await client.get<Workload>(Resources.daemonSets, 'storageos-node', { namespace: clusterNs });
      assert.strictEqual(ds.spec?.template?.spec?.containers?.[0].image, ONDAT_NODE_IMAGE);
      assert.strictEqual(ds.status?.numberReady, lab.kubelet.nodeNames.length);
      const nodePods = await client.list<Pod>(Resources.pods, { namespace: clusterNs, labelSelector: 'app=storageos,app.kubernetes.io/component=control-plane' });
      assert.ok(nodePods.items.every((p) => p.metadata?.name?.startsWith('storageos-node-')));
    });
  }

  it('declares the StorageOSCluster CRD with status subresource, short name and printer columns', async function () {
    await ondatInstalled('current');
    const crd = await client.get<KubeObject & { spec: { names: { shortNames?: string[] }; versions: Array<{ name: string; subresources?: { status?: object }; additionalPrinterColumns?: Array<{ name: string; jsonPath: string }> }> } }>(
      Resources.customResourceDefinitions, 'storageosclusters.storageos.com');
    assert.deepStrictEqual(crd.spec.names.shortNames, ['stos']);
    const v1 = crd.spec.versions.find((v) => v.name === 'v1');
    assert.ok(v1?.subresources?.status);
    assert.deepStrictEqual(v1?.additionalPrinterColumns?.map((c) => [c.name, c.jsonPath]).slice(0, 2), [['Ready', '.status.ready'], ['Status', '.status.phase']]);
  });

  it('has the etcd the cluster uses, the StorageClass and workloads bound to Ondat volumes', async function () {
    await ondatInstalled('current');
    const etcd = await client.get<KubeObject>(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' });
    assert.strictEqual(etcd.kind, 'EtcdCluster');
    await client.get(Resources.deployments, 'storageos-etcd-controller-manager', { namespace: 'storageos-etcd' });
    await client.get(Resources.deployments, 'storageos-etcd-proxy', { namespace: 'storageos-etcd' });
    const sc = await client.get<KubeObject & { provisioner?: string }>(Resources.storageClasses, 'storageos');
    assert.strictEqual(sc.provisioner, ONDAT_PROVISIONER);
    const claims = await client.list<KubeObject & { status?: { phase?: string } }>(Resources.persistentVolumeClaims, { namespace: 'shop' });
    assert.deepStrictEqual(claims.items.map((c) => `${c.metadata?.name}:${c.status?.phase}`).sort(), ['data-shop-db-0:Bound', 'data-shop-db-1:Bound', 'web-data:Bound']);
    const sts = await client.get<KubeObject & { status?: { readyReplicas?: number } }>(Resources.statefulSets, 'shop-db', { namespace: 'shop' });
    assert.strictEqual(sts.status?.readyReplicas, 2);
  });
});
