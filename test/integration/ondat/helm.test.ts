// Ondat's Helm path end to end in the kube lab, with the lab's helm stand-in (lab/kube/bin/helm) on PATH: a 2.7
// install made with the ondat-operator chart (its release Secret in the cluster) is downgraded with
// installMethod=helm, and the release's record, the cluster and the stand-in's own log of its calls say what happened;
// an umbrella release and a release stuck in pending-upgrade are refused before anything changes.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { KubeClientPool, KubeExecutor, kubeconfigFiles, loadKubeconfig, Resources, type KubeObject, type Pod } from '../../../src/adapters/kube/index';
import { releaseRevision } from '../../../src/adapters/kube/helm-release';
import { FileTargetLocks, pidAlive } from '../../../src/adapters/local/file-lock';
import { LocalExecutor } from '../../../src/adapters/local/local-executor';
import { RunFolderRepository } from '../../../src/adapters/local/run-folder';
import { currentActor, systemClock } from '../../../src/adapters/local/system';
import type { HelmReleaseRevision } from '../../../src/core/helm-release';
import type { Prompter } from '../../../src/core/ports';
import type { RunState } from '../../../src/core/run-state';
import { preparePlan, startRun, type PreparedPlan, type RunEnvironment } from '../../../src/core/runs';
import { OndatRefusedError, ondatDowngrade } from '../../../src/procedures/ondat/index';
import { HELM_REPO_NAME, HELM_REPO_URL } from '../../../src/procedures/ondat/names';
import { KubeLab } from '../../../lab/kube/lab';
import { OPERATOR_CHART, releaseSecret } from '../../../lab/kube/fixtures/helm-release';
import { pathWithPlugin, pluginBinDir } from '../../../lab/kube/plugin/bin-dir';
import { kubeLab, ondatChanged, ondatInstalled } from '../kube/lab';

const CONTEXT = KubeLab.contexts.admin;
const PASSWORD = 'lab-admin,secret\\123';
const RUN_DEADLINE_MS = 360_000;

const yes: Prompter = {
  confirm: async () => true,
  typeToConfirm: async () => true,
  askSecret: async () => PASSWORD,
  pick: async (q) => q.options[0]?.value,
};

type Call = { argv: string[]; context?: string; server?: string; kubeconfig?: string; kubeconfigMode?: string; valuesFiles?: Array<{ file: string; mode: string | null }>; secretVariables: string[] };

describe('Ondat downgrade with Helm in the kube lab (helm stand-in)', function () {
  this.timeout(600_000);
  let lab: KubeLab;
  let pool: KubeClientPool;
  let root: string;
  let runFolder: string | undefined;
  let helmLog: string;
  const saved: Record<string, string | undefined> = {};
  const env = ['PATH', 'KUBECONFIG', 'BACKOUT_LAB_HELM_LOG', 'HELM_REPOSITORY_CONFIG', 'BACKOUT_SECRET_ADMINPASSWORD'];

  before(async () => {
    lab = await kubeLab();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ondat-helm-'));
    pool = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })));
    for (const k of env) saved[k] = process.env[k];
    helmLog = path.join(root, 'helm-calls.jsonl');
    process.env.PATH = pathWithPlugin(process.env.PATH);
    process.env.KUBECONFIG = lab.kubeconfig;
    process.env.BACKOUT_LAB_HELM_LOG = helmLog;
    process.env.HELM_REPOSITORY_CONFIG = path.join(root, 'helm', 'repositories.yaml');
  });

  beforeEach(() => fs.rmSync(helmLog, { force: true }));

  afterEach(async () => {
    ondatChanged();
    const client = pool.get(CONTEXT);
    await client.delete(Resources.daemonSets, 'storageos-downgrade-database', { namespace: 'kube-system' });
    await client.scale(Resources.deployments, 'shop-web', 1, { namespace: 'shop' });
    await client.scale(Resources.statefulSets, 'shop-db', 2, { namespace: 'shop' });
  });

  after(() => {
    for (const k of env) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    pool?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function environment(): RunEnvironment {
    return {
      repository: new RunFolderRepository(root),
      locks: new FileTargetLocks(path.join(root, 'locks'), { hostname: os.hostname(), pidAlive }),
      host: { executors: { kube: executor(), local: new LocalExecutor() }, prompter: yes, clock: systemClock, actor: currentActor() },
    };
  }

  function executor(): KubeExecutor {
    return new KubeExecutor({ pool, runFolder: () => runFolder });
  }

  function plan(extra: Record<string, string> = {}): Promise<PreparedPlan> {
    return preparePlan(
      ondatDowngrade,
      { context: CONTEXT, installMethod: 'helm', scaleWorkloads: 'true', backupConfirmed: 'true', serviceAccount: 'default', timeoutSeconds: '300', ...extra },
      { executors: { kube: executor(), local: new LocalExecutor() } },
    );
  }

  function run(prepared: PreparedPlan): Promise<RunState> {
    runFolder = undefined;
    return startRun(environment(), prepared, { signal: AbortSignal.timeout(RUN_DEADLINE_MS), onStarted: (_id, location) => (runFolder = location) });
  }

  function failures(state: RunState): string {
    const open = [...state.units.values()].filter((u) => u.state !== 'succeeded');
    const lines = [JSON.stringify(open.map((u) => [u.step, u.instance, u.state, u.error ?? u.reason]))];
    for (const u of open.filter((x) => x.state === 'failed') ) {
      const dir = path.join(runFolder ?? '', 'logs', u.step);
      for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) lines.push(`log ${u.step}/${f}:`, ...fs.readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n').slice(-8));
    }
    return lines.join('\n');
  }

  async function revisions(release = 'ondat', namespace = 'storageos'): Promise<HelmReleaseRevision[]> {
    const list = await pool.get(CONTEXT).list<KubeObject & { data?: Record<string, string> }>(Resources.secrets, { namespace, labelSelector: `owner=helm,name=${release}` });
    return list.items.map(releaseRevision).filter((r): r is HelmReleaseRevision => typeof r !== 'string').sort((a, b) => a.revision - b.revision);
  }

  function calls(): Call[] {
    return fs.existsSync(helmLog) ? fs.readFileSync(helmLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Call) : [];
  }

  /** The stand-in run directly, as a user at a shell would. */
  function helm(...args: string[]): { status: number | null; out: string } {
    const r = spawnSync(path.join(pluginBinDir(), 'helm'), args, { encoding: 'utf8', env: process.env });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  it('downgrades an ondat-operator release: revision 2 is chart 0.5.5 / app v2.6.0, etcd untouched, the password only in a 0600 values file removed afterwards', async () => {
    await ondatInstalled('helm');
    const client = pool.get(CONTEXT);
    const etcdBefore = await client.get(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' });
    const before = await revisions();
    assert.deepEqual(before.map((r) => [r.revision, r.chart, r.status]), [[1, 'ondat-operator', 'deployed']]);
    process.env.BACKOUT_SECRET_ADMINPASSWORD = 'canary-must-not-reach-a-child';
    let state: RunState;
    try {
      state = await run(await plan());
    } finally {
      delete process.env.BACKOUT_SECRET_ADMINPASSWORD;
    }
    assert.equal(state.status, 'succeeded', failures(state));

    const after = await revisions();
    assert.deepEqual(after.map((r) => [r.revision, r.chart, r.chartVersion, r.appVersion, r.status]), [
      [1, 'ondat-operator', OPERATOR_CHART.version, 'v2.7.0', 'superseded'],
      [2, 'ondat-operator', '0.5.5', 'v2.6.0', 'deployed'],
    ]);
    const etcdAfter = await client.get(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' });
    assert.equal(etcdAfter.metadata?.uid, etcdBefore.metadata?.uid);
    assert.equal(etcdAfter.metadata?.generation, etcdBefore.metadata?.generation);
    // The chart's cluster, run by the 2.6.0 operator on the node image of its related-images ConfigMap.
    await lab.api.until('2.6.0 node pods ready', async () => {
      const pods = await client.list<Pod>(Resources.pods, { namespace: 'storageos', labelSelector: 'app=storageos,app.kubernetes.io/component=control-plane' });
      return pods.items.length === lab.kubelet.nodeNames.length && pods.items.every((p) => p.spec?.containers[0]?.image === 'storageos/node:v2.6.0');
    }, 120_000);
    const cluster = await client.get<KubeObject & { spec?: { kvBackend?: { address?: string } } }>(Resources.storageOSClusters, 'storageoscluster', { namespace: 'storageos' });
    assert.equal(cluster.spec?.kvBackend?.address, 'storageos-etcd.storageos-etcd:2379');
    const secret = await client.get<KubeObject & { data?: Record<string, string> }>(Resources.secrets, 'storageos-api', { namespace: 'storageos' });
    assert.equal(Buffer.from(secret.data?.password ?? '', 'base64').toString(), PASSWORD, 'the password, with its comma and backslash, reached the chart intact');

    const upgrades = calls().filter((c) => c.argv[0] === 'upgrade');
    assert.equal(upgrades.length, 1);
    const call = upgrades[0] as Call;
    const line = call.argv.join(' ');
    assert.ok(!line.includes(PASSWORD) && !line.includes('secret\\123'), `no secret in argv: ${line}`);
    assert.ok(!call.argv.some((a) => a.startsWith('--set')), `no --set*: ${line}`);
    assert.match(line, /^upgrade --install ondat ondat\/ondat-operator --version 0\.5\.5 --namespace storageos /);
    assert.equal(call.context, CONTEXT);
    assert.equal(call.server, lab.server);
    assert.equal(call.kubeconfigMode, '0600');
    assert.equal(call.valuesFiles?.length, 1);
    assert.equal(call.valuesFiles?.[0]?.mode, '0600');
    assert.deepEqual(call.secretVariables, []);
    assert.ok(!fs.existsSync(call.valuesFiles?.[0]?.file ?? ''), 'the values file is removed afterwards');
    assert.ok(calls().every((c) => c.secretVariables.length === 0));
  });

  it('refuses an umbrella release before anything changes — which the stand-in shows is right: upgrading it to ondat-operator deletes the etcd', async () => {
    const naming = await ondatInstalled('umbrella');
    const client = pool.get(CONTEXT);
    const etcdBefore = await client.get(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' });
    await assert.rejects(plan(), (e: unknown) => {
      assert.ok(e instanceof OndatRefusedError, String(e));
      assert.match(e.message, /chart ondat 0\.2\.0/);
      assert.match(e.message, /Ondat's etcd, the metadata of every volume/);
      return true;
    });
    assert.deepEqual(calls(), [], 'helm was never started');
    assert.equal((await client.get(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' })).metadata?.uid, etcdBefore.metadata?.uid);
    assert.deepEqual((await revisions()).map((r) => [r.revision, r.chart, r.status]), [[1, 'ondat', 'deployed']]);

    // What the refusal prevents, done by hand with the stand-in after the downgrade's uninstall of the 2.7 operator.
    ondatChanged();
    await client.delete(Resources.deployments, naming.operatorName, { namespace: naming.operatorNamespace });
    const values = path.join(root, 'umbrella-values.yaml');
    fs.writeFileSync(values, stringifyYaml({ cluster: { namespace: 'storageos', name: 'storageoscluster', admin: { password: 'x-lab-password' }, kvBackend: { address: 'storageos-etcd.storageos-etcd:2379' } } }), { mode: 0o600 });
    assert.equal(helm('repo', 'add', HELM_REPO_NAME, HELM_REPO_URL).status, 0);
    const r = helm('upgrade', 'ondat', 'ondat/ondat-operator', '--version', '0.5.5', '-n', 'storageos', '--kube-context', CONTEXT, '-f', values);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /Deleted EtcdCluster "storageos-etcd" in namespace "storageos-etcd": not in the new manifest/);
    assert.equal(await client.find(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' }), undefined, 'the umbrella upgrade removed the etcd');
  });

  it('refuses a release stuck in pending-upgrade, naming it; helm itself refuses it with its own message', async () => {
    const naming = await ondatInstalled('helm');
    const client = pool.get(CONTEXT);
    const pending = releaseSecret('ondat', 'storageos', OPERATOR_CHART, 2, 'pending-upgrade', []);
    await lab.api.create(pending);
    try {
      await assert.rejects(plan(), (e: unknown) => {
        assert.ok(e instanceof OndatRefusedError, String(e));
        assert.match(e.message, /Helm release ondat in storageos \(chart ondat-operator [0-9.]+, revision 2, pending-upgrade.*is stuck in pending-upgrade/);
        return true;
      });
      assert.deepEqual(calls(), [], 'helm was never started');
      assert.ok(await client.find(Resources.deployments, naming.operatorName, { namespace: 'storageos' }), 'the 2.7 operator is still there');
      assert.equal(helm('repo', 'add', HELM_REPO_NAME, HELM_REPO_URL).status, 0);
      const r = helm('upgrade', '--install', 'ondat', 'ondat/ondat-operator', '--version', '0.5.5', '-n', 'storageos', '--kube-context', CONTEXT);
      assert.equal(r.status, 1);
      assert.match(r.out, /Error: UPGRADE FAILED: another operation \(install\/upgrade\/rollback\) is in progress/);
    } finally {
      await client.delete(Resources.secrets, 'sh.helm.release.v1.ondat.v2', { namespace: 'storageos' });
    }
  });

  it('is as strict as helm about its command line: unknown flags, and --set values split at commas', async () => {
    await ondatInstalled('helm');
    assert.match(helm('upgrade', 'ondat', 'ondat/ondat-operator', '--values-from-env').out, /unknown flag: 'values-from-env'/);
    const r = helm('upgrade', 'ondat', 'ondat/ondat-operator', '--version', '0.5.5', '-n', 'storageos', '--kube-context', CONTEXT, '--set', 'cluster.kvBackend.address=203.0.113.10:2379,203.0.113.11:2379');
    assert.equal(r.status, 1);
    assert.match(r.out, /key "203\.0\.113\.11:2379" has no value/);
    assert.deepEqual((await revisions()).map((x) => x.revision), [1], 'nothing was recorded');
  });
});
