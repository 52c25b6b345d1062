// The whole Ondat 2.7.0 -> 2.6.0 downgrade, planned from what discovery finds and run by the engine through the kube
// executor against the lab: workloads scaled down, cluster and operator removed, the database downgrade DaemonSet
// run on every node and removed, 2.6.0 installed from manifests, verified, workloads scaled back up.
import * as assert from 'assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
import { preparePlan, startRun } from '../../../src/core/runs';
import type { RunState } from '../../../src/core/run-state';
import type { Prompter } from '../../../src/core/ports';
import { ondatDowngrade } from '../../../src/procedures/ondat/index';
import { RunFolderRepository } from '../../../src/adapters/local/run-folder';
import { FileTargetLocks, pidAlive } from '../../../src/adapters/local/file-lock';
import { LocalExecutor } from '../../../src/adapters/local/local-executor';
import { currentActor, systemClock } from '../../../src/adapters/local/system';
import { KubeClientPool, KubeExecutor, KubeObject, Pod, Resources, kubeconfigFiles, loadKubeconfig } from '../../../src/adapters/kube/index';
import { KubeLab } from '../../../lab/kube/lab';
import { kubeLab, ondatChanged, ondatInstalled } from './lab';

const MANIFESTS_2_6_0 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: storageos-operator
  namespace: storageos
  labels: { control-plane: storageos-operator, app.kubernetes.io/component: operator }
spec:
  replicas: 1
  selector: { matchLabels: { control-plane: storageos-operator } }
  template:
    metadata: { labels: { control-plane: storageos-operator, app.kubernetes.io/component: operator } }
    spec:
      containers: [{ name: operator, image: "storageos/operator:v2.6.0" }]
---
apiVersion: storageos.com/v1
kind: StorageOSCluster
metadata: { name: storageoscluster, namespace: storageos }
spec:
  secretRefName: storageos-api
  storageClassName: storageos
  images: { nodeContainer: "storageos/node:v2.6.0" }
  kvBackend: { address: "storageos-etcd.storageos-etcd:2379" }
`;

/** Says yes to every gate, as a user clicking through would; gives the admin password when asked. */
const yes: Prompter = {
  confirm: async () => true,
  typeToConfirm: async () => true,
  askSecret: async () => 'lab-admin-secret-123',
  pick: async (q) => q.options[0]?.value,
};

describe('Ondat 2.7.0 -> 2.6.0 downgrade on the lab, end to end', function () {
  this.timeout(600_000);
  let lab: KubeLab;
  let pool: KubeClientPool;
  let root: string;
  let savedKubeconfig: string | undefined;

  before(async function () {
    lab = await kubeLab();
    root = mkdtempSync(join(tmpdir(), 'backout-e2e-runs-'));
    pool = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })));
    // Local steps (kubectl) read the kubeconfig from the environment, as a user's shell would.
    savedKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = lab.kubeconfig;
  });
  beforeEach(async function () {
    await ondatInstalled('current');
  });
  afterEach(async function () {
    // Put the cluster back as the other suites expect it: 2.7.0 reinstalled on next use, workloads up, no downgrade.
    ondatChanged();
    lab.kubelet.setFaults({});
    const client = pool.get(KubeLab.contexts.admin);
    await client.delete(Resources.daemonSets, 'storageos-downgrade-database', { namespace: 'kube-system' });
    await client.scale(Resources.deployments, 'shop-web', 1, { namespace: 'shop' });
    await client.scale(Resources.statefulSets, 'shop-db', 2, { namespace: 'shop' });
  });
  after(async function () {
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    pool.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Plans the downgrade from what discovery finds, then runs it; returns the final state and the run's folder. */
  async function downgrade(): Promise<{ state: RunState; runFolder: string }> {
    let runFolder: string | undefined;
    const kube = new KubeExecutor({ pool, runFolder: () => runFolder });
    const host = { executors: { kube, local: new LocalExecutor() }, prompter: yes, clock: systemClock, actor: currentActor() };
    const prepared = await preparePlan(
      ondatDowngrade,
      { context: KubeLab.contexts.admin, installMethod: 'manifests', manifests: MANIFESTS_2_6_0, scaleWorkloads: 'true', backupConfirmed: 'true', adminPassword: 'lab-admin-secret-123' },
      host,
    );
    assert.deepStrictEqual((prepared.plan.extra.discovery as { runningVersion?: string }).runningVersion, '2.7.0');
    const state = await startRun(
      { repository: new RunFolderRepository(root), locks: new FileTargetLocks(join(root, 'locks'), { hostname: hostname(), pidAlive }), host },
      prepared,
      { onStarted: (_id, location) => (runFolder = location) },
    );
    return { state, runFolder: runFolder ?? '' };
  }

  it('runs every step to success and leaves 2.6.0 running with the workloads back', async function () {
    const { state, runFolder } = await downgrade();
    const unfinished = [...state.units.values()].filter((u) => u.state !== 'succeeded' && u.state !== 'skipped');
    assert.strictEqual(state.status, 'succeeded', `not succeeded: ${JSON.stringify(unfinished.map((u) => [u.step, u.instance, u.state, u.error ?? u.reason]))}`);
    assert.ok(state.units.size >= 20, `${state.units.size} units`);

    const client = pool.get(KubeLab.contexts.admin);
    const cluster = await client.get<KubeObject & { spec?: { images?: { nodeContainer?: string } }; status?: { phase?: string } }>(Resources.storageOSClusters, 'storageoscluster', { namespace: 'storageos' });
    assert.strictEqual(cluster.spec?.images?.nodeContainer, 'storageos/node:v2.6.0');
    assert.strictEqual(cluster.status?.phase, 'Running');
    const nodePods = await client.list<Pod>(Resources.pods, { namespace: 'storageos', labelSelector: 'app=storageos,app.kubernetes.io/component=control-plane' });
    assert.deepStrictEqual(new Set(nodePods.items.map((p) => p.spec?.containers[0].image)), new Set(['storageos/node:v2.6.0']));
    assert.strictEqual(await client.find(Resources.daemonSets, 'storageos-downgrade-database', { namespace: 'kube-system' }), undefined);
    const web = await client.get<KubeObject & { spec?: { replicas?: number } }>(Resources.deployments, 'shop-web', { namespace: 'shop' });
    assert.strictEqual(web.spec?.replicas, 1);
    const db = await client.get<KubeObject & { spec?: { replicas?: number } }>(Resources.statefulSets, 'shop-db', { namespace: 'shop' });
    assert.strictEqual(db.spec?.replicas, 2);
    // The manifests saved before the uninstall are in the run's folder.
    const backups = readdirSync(join(runFolder, 'backup'));
    assert.ok(backups.some((f) => f.startsWith('storageoscluster')), backups.join(', '));
    assert.match(readFileSync(join(runFolder, 'backup', backups.find((f) => f.startsWith('storageoscluster')) ?? ''), 'utf8'), /nodeContainer: storageos\/node:v2\.7\.0/);
  });

  it('stops at the database downgrade when its init container crash-loops on one node, naming the node', async function () {
    lab.kubelet.setFaults({ initFailure: { node: 'lab-node-2', mode: 'crashloop', podNamePrefix: 'storageos-downgrade-database' } });
    const { state } = await downgrade();
    assert.strictEqual(state.status, 'failed');
    const failedUnits = [...state.units.values()].filter((u) => u.state === 'failed');
    assert.deepStrictEqual(failedUnits.map((u) => [u.step, u.instance]), [['wait-downgrade-nodes', 'lab-node-2']]);
    // Nothing after the failed step ran: the 2.6.0 install was not attempted on a half-downgraded cluster.
    const install = [...state.units.values()].filter((u) => u.step === 'install-ondat-2-6-0');
    assert.ok(install.every((u) => u.state === 'planned'), JSON.stringify(install.map((u) => u.state)));
  });
});
