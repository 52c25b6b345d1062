// End to end in the kube lab (3 fake nodes, the lab's fake operator): the procedure planned from what discovery
// finds and run by the engine with the kube executor, for every naming variant; a run interrupted right after the
// downgrade DaemonSet was created and then resumed; workloads still using volumes; the dry run.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeClientPool, KubeExecutor, kubeconfigFiles, loadKubeconfig, Resources, type KubeObject, type Pod } from '../../../src/adapters/kube/index';
import { FileTargetLocks, pidAlive } from '../../../src/adapters/local/file-lock';
import { LocalExecutor } from '../../../src/adapters/local/local-executor';
import { RunFolderRepository } from '../../../src/adapters/local/run-folder';
import { currentActor, systemClock } from '../../../src/adapters/local/system';
import type { KubeAction } from '../../../src/core/plan';
import { planRows } from '../../../src/core/plan';
import type { ExecutionRequest, ExecutionResult, Executor, Prompter } from '../../../src/core/ports';
import type { RunState } from '../../../src/core/run-state';
import { preparePlan, resumeRun, startRun, type PreparedPlan, type RunEnvironment } from '../../../src/core/runs';
import { OndatRefusedError, ondatDowngrade } from '../../../src/procedures/ondat/index';
import { KubeLab } from '../../../lab/kube/lab';
import type { OndatVariant } from '../../../lab/kube/fixtures/naming';
import { kubeLab, ondatChanged, ondatInstalled } from '../kube/lab';
import { ondatManifestsFile } from '../../../lab/kube/fixtures/manifests';
import { pathWithPlugin } from '../../../lab/kube/plugin/bin-dir';

const CONTEXT = KubeLab.contexts.admin;
/** A run here takes 20–40 s; one still going after this is stuck, and is stopped to report where (mocha: 600 s). */
const RUN_DEADLINE_MS = 360_000;

/** Confirms every gate, as a user clicking through would. */
const yes: Prompter = {
  confirm: async () => true,
  typeToConfirm: async () => true,
  askSecret: async () => 'lab-admin-secret-123',
  pick: async (q) => q.options[0]?.value,
};

/** The kube executor, but the run "dies" right after one operation has taken effect (before the journal says so). */
class CrashAfter implements Executor<KubeAction> {
  constructor(
    private readonly real: Executor<KubeAction>,
    private readonly operation: string,
    private readonly crash: AbortController,
  ) {}
  async execute(request: ExecutionRequest<KubeAction>): Promise<ExecutionResult> {
    const r = await this.real.execute(request);
    if (request.action.operation === this.operation && !this.crash.signal.aborted) this.crash.abort(new Error('simulated crash'));
    return r;
  }
}

describe('Ondat downgrade 2.7 -> 2.6 in the kube lab', function () {
  this.timeout(600_000);
  let lab: KubeLab;
  let pool: KubeClientPool;
  let root: string;
  let runFolder: string | undefined;
  let savedKubeconfig: string | undefined;

  before(async () => {
    lab = await kubeLab();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ondat-e2e-'));
    pool = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })));
    savedKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = lab.kubeconfig;
  });

  afterEach(async () => {
    // Leave the cluster as other suites expect it: 2.7.0 reinstalled on next use, workloads up, no downgrade left.
    ondatChanged();
    lab.kubelet.setFaults({});
    const client = pool.get(CONTEXT);
    await client.delete(Resources.daemonSets, 'storageos-downgrade-database', { namespace: 'kube-system' });
    // What the 2.6.0 manifests installed (whatever the naming was): removing the fixture by its naming misses it.
    await client.delete(Resources.storageOSClusters, 'storageoscluster', { namespace: 'storageos' });
    await client.delete(Resources.deployments, 'storageos-operator', { namespace: 'storageos' });
    await lab.api.until('the 2.6.0 node pods gone', async () => {
      const pods = await client.list<Pod>(Resources.pods, { namespace: 'storageos', labelSelector: 'app=storageos,app.kubernetes.io/component=control-plane' });
      return pods.items.length === 0;
    }, 120_000);
    await client.scale(Resources.deployments, 'shop-web', 1, { namespace: 'shop' });
    await client.scale(Resources.statefulSets, 'shop-db', 2, { namespace: 'shop' });
  });

  after(() => {
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    pool?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function environment(kube: Executor<KubeAction>): RunEnvironment {
    return {
      repository: new RunFolderRepository(root),
      locks: new FileTargetLocks(path.join(root, 'locks'), { hostname: os.hostname(), pidAlive }),
      host: { executors: { kube, local: new LocalExecutor() }, prompter: yes, clock: systemClock, actor: currentActor() },
    };
  }

  function executor(): KubeExecutor {
    return new KubeExecutor({ pool, runFolder: () => runFolder });
  }

  function plan(extra: Record<string, string> = {}): Promise<PreparedPlan> {
    const params: Record<string, string> = {
      context: CONTEXT,
      installMethod: 'manifests',
      manifestsFile: ondatManifestsFile(),
      scaleWorkloads: 'true',
      backupConfirmed: 'true',
      // The lab runs kube-controller-manager without per-controller ServiceAccounts: no daemon-set-controller.
      serviceAccount: 'default',
      timeoutSeconds: '300',
      ...extra,
    };
    if (params.installMethod !== 'manifests') delete params.manifestsFile;
    return preparePlan(ondatDowngrade, params, { executors: { kube: executor(), local: new LocalExecutor() } });
  }

  /** The units that did not succeed, the last lines of the logs of those left running, and what the cluster shows:
   * enough to tell from a CI log alone why a run stopped or was stopped at its deadline. */
  async function failures(state: RunState): Promise<string> {
    const open = [...state.units.values()].filter((u) => u.state !== 'succeeded');
    const lines = [JSON.stringify(open.map((u) => [u.step, u.instance, u.state, u.error ?? u.reason]))];
    if (runFolder) {
      for (const u of open.filter((x) => x.state === 'running' || x.state === 'failed' || x.state === 'cancelled')) {
        const dir = path.join(runFolder, 'logs', u.step);
        for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
          const tail = fs.readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n').slice(-6);
          lines.push(`log ${u.step}/${f}:`, ...tail.map((l) => `  ${l}`));
        }
      }
    }
    lines.push(...(await clusterSnapshot().catch((err: unknown) => [`cluster snapshot failed: ${String(err)}`])));
    return lines.join('\n');
  }

  /** Nodes (ready, taints) and every Ondat, downgrade and shop pod (node, phase, ready, terminating). */
  async function clusterSnapshot(): Promise<string[]> {
    const client = pool.get(CONTEXT);
    type NodeObject = KubeObject & { spec?: { taints?: Array<{ key: string; effect: string }> }; status?: { conditions?: Array<{ type: string; status: string }> } };
    const nodes = await client.list<NodeObject>(Resources.nodes);
    const out = nodes.items.map((n) => `node ${n.metadata?.name}: Ready=${n.status?.conditions?.find((c) => c.type === 'Ready')?.status} taints=${(n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(',') || '-'}`);
    for (const ns of ['storageos', 'storageos-operator', 'kube-system', 'shop']) {
      const pods = await client.list<Pod>(Resources.pods, { namespace: ns });
      for (const p of pods.items) {
        const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
        out.push(`pod ${ns}/${p.metadata?.name} on ${p.spec?.nodeName ?? '-'}: ${p.status?.phase} Ready=${ready}${p.metadata?.deletionTimestamp ? ' terminating' : ''}`);
      }
    }
    const clusters = await client.list<KubeObject & { status?: { phase?: string; ready?: string } }>(Resources.storageOSClusters);
    out.push(...clusters.items.map((c) => `StorageOSCluster ${c.metadata?.namespace}/${c.metadata?.name}: ${c.status?.phase} ${c.status?.ready}${c.metadata?.deletionTimestamp ? ' terminating' : ''}`));
    return out;
  }

  /** Runs the plan, stopping it well before mocha's timeout so that a run stuck in a wait reports where it was. */
  async function run(prepared: PreparedPlan, kube: Executor<KubeAction> = executor(), signal?: AbortSignal): Promise<RunState> {
    runFolder = undefined;
    const deadline = AbortSignal.timeout(RUN_DEADLINE_MS);
    return startRun(environment(kube), prepared, {
      signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      onStarted: (_id, location) => (runFolder = location),
    });
  }

  async function expectDowngraded(clusterNamespace = 'storageos'): Promise<void> {
    const client = pool.get(CONTEXT);
    // The cluster's own StorageOSCluster, recreated where it was, with the 2.6.0 node image.
    const cluster = await client.get<KubeObject & { spec?: { images?: { nodeContainer?: string } }; status?: { phase?: string } }>(Resources.storageOSClusters, 'storageoscluster', { namespace: clusterNamespace });
    assert.equal(cluster.spec?.images?.nodeContainer, 'storageos/node:v2.6.0');
    assert.equal(cluster.status?.phase, 'Running');
    const nodePods = await client.list<Pod>(Resources.pods, { labelSelector: 'app=storageos,app.kubernetes.io/component=control-plane' });
    assert.deepEqual(new Set(nodePods.items.map((p) => p.spec?.containers[0]?.image)), new Set(['storageos/node:v2.6.0']));
    assert.equal(await client.find(Resources.daemonSets, 'storageos-downgrade-database', { namespace: 'kube-system' }), undefined);
    const web = await client.get<KubeObject & { spec?: { replicas?: number } }>(Resources.deployments, 'shop-web', { namespace: 'shop' });
    const db = await client.get<KubeObject & { spec?: { replicas?: number } }>(Resources.statefulSets, 'shop-db', { namespace: 'shop' });
    assert.equal(web.spec?.replicas, 1);
    assert.equal(db.spec?.replicas, 2);
  }

  for (const [variant, operator, clusterNamespace] of [
    ['current', 'storageos/storageos-operator', 'storageos'],
    ['legacy', 'storageos-operator/storageos-cluster-operator', 'kube-system'],
    ['helm', 'storageos/ondat-ondat-operator', 'storageos'],
  ] as const satisfies ReadonlyArray<readonly [OndatVariant, string, string]>) {
    it(`downgrades the ${variant} naming: deletes ${operator}, leaves etcd alone, installs 2.6.0, scales back`, async () => {
      await ondatInstalled(variant);
      const client = pool.get(CONTEXT);
      const etcdBefore = await client.get(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' });
      const [opNs, opName] = operator.split('/') as [string, string];
      const operatorBefore = await client.get(Resources.deployments, opName, { namespace: opNs });
      const prepared = await plan();
      const discovery = prepared.plan.extra.discovery as { runningVersion: string; storageOSCluster: string; operators: Array<{ namespace: string; name: string }> };
      assert.equal(discovery.runningVersion, '2.7.0');
      assert.equal(discovery.storageOSCluster, `${clusterNamespace}/storageoscluster`);
      assert.deepEqual(discovery.operators.map((o) => `${o.namespace}/${o.name}`), [operator]);
      const state = await run(prepared);
      assert.equal(state.status, 'succeeded', await failures(state));
      await expectDowngraded(clusterNamespace);
      // The 2.7 operator is gone; with the current naming the 2.6.0 manifests bring one of the same name back.
      const operatorAfter = await client.find<KubeObject & { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }>(Resources.deployments, opName, { namespace: opNs });
      assert.notEqual(operatorAfter?.metadata?.uid, operatorBefore.metadata?.uid, 'the 2.7 operator was deleted');
      if (operatorAfter) assert.equal(operatorAfter.spec?.template?.spec?.containers?.[0]?.image, 'storageos/operator:v2.6.0');
      const etcdAfter = await client.get(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' });
      assert.equal(etcdAfter.metadata?.uid, etcdBefore.metadata?.uid);
      assert.equal(etcdAfter.metadata?.generation, etcdBefore.metadata?.generation);
      const saved = fs.readdirSync(path.join(runFolder ?? '', 'backup')).sort();
      assert.deepEqual(saved, [`deployment-${opNs}-${opName}.yaml`, `secret-${clusterNamespace}-storageos-api.yaml`, `storageoscluster-${clusterNamespace}-storageoscluster.yaml`]);
      // The saved cluster is the 2.7.0 one, as it was before the uninstall.
      assert.match(fs.readFileSync(path.join(runFolder ?? '', 'backup', `storageoscluster-${clusterNamespace}-storageoscluster.yaml`), 'utf8'), /nodeContainer: storageos\/node:v2\.7\.0/);
    });
  }

  it('installs 2.6.0 with kubectl-storageos on the run\'s cluster only: its own 0600 kubeconfig and config file, no secret anywhere', async () => {
    await ondatInstalled('current');
    // A user's $KUBECONFIG whose context has the run's name but leads elsewhere (kubeadm names every cluster's
    // context kubernetes-admin@kubernetes): a tool reading it would install 2.6.0 on another cluster.
    const decoy = path.join(root, 'decoy-kubeconfig');
    fs.writeFileSync(decoy, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'elsewhere', cluster: { server: 'https://127.0.0.1:9' } }], users: [{ name: 'u', user: { token: 'x' } }], contexts: [{ name: CONTEXT, context: { cluster: 'elsewhere', user: 'u' } }], 'current-context': CONTEXT }));
    const pluginLog = path.join(root, 'plugin-calls.jsonl');
    const saved = { PATH: process.env.PATH, BACKOUT_LAB_PLUGIN_LOG: process.env.BACKOUT_LAB_PLUGIN_LOG };
    process.env.PATH = pathWithPlugin(process.env.PATH);
    process.env.BACKOUT_LAB_PLUGIN_LOG = pluginLog;
    process.env.KUBECONFIG = decoy;
    process.env.BACKOUT_SECRET_ADMINPASSWORD = 'canary-must-not-reach-a-child';
    try {
      const prepared = await plan({ installMethod: 'kubectl-storageos' });
      const state = await run(prepared);
      assert.equal(state.status, 'succeeded', await failures(state));
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.BACKOUT_LAB_PLUGIN_LOG === undefined) delete process.env.BACKOUT_LAB_PLUGIN_LOG;
      else process.env.BACKOUT_LAB_PLUGIN_LOG = saved.BACKOUT_LAB_PLUGIN_LOG;
      process.env.KUBECONFIG = lab.kubeconfig;
      delete process.env.BACKOUT_SECRET_ADMINPASSWORD;
    }
    await expectDowngraded();
    const operator = await pool.get(CONTEXT).get<KubeObject & { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }>(Resources.deployments, 'storageos-operator', { namespace: 'storageos' });
    assert.equal(operator.spec?.template?.spec?.containers?.[0]?.image, 'storageos/operator:v2.6.0');
    const calls = fs.readFileSync(pluginLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(calls.length, 1);
    const call = calls[0]!;
    assert.equal((call.argv as string[]).slice(0, 2).join(' '), 'install --stos-config-path');
    assert.equal((call.argv as string[]).length, 3, 'nothing but the config folder on the command line');
    assert.equal(call.context, CONTEXT);
    assert.equal(call.server, lab.server, 'the plugin reached the run\'s cluster, not the decoy');
    assert.equal(call.kubeconfigMode, '0600');
    assert.equal(call.configMode, '0600');
    assert.match(String(call.settingsFrom), /^config /);
    assert.equal(call.version, 'v2.6.0');
    assert.deepEqual(call.secretVariables, []);
    assert.ok(!fs.existsSync(path.dirname(String(call.kubeconfig))), 'the kubeconfig and config file are removed after the install');
  });

  it('runs through the backout command line: discovery, every step, the backups in the run folder', async () => {
    await ondatInstalled('current');
    const repo = path.resolve(__dirname, '../../../..');
    const runs = path.join(root, 'cli-runs');
    const args = [
      path.join(repo, 'dist', 'cli.js'), 'run', 'ondat.downgrade-2.7-to-2.6',
      '--param', `context=${CONTEXT}`, '--param', 'installMethod=manifests', '--param', `manifestsFile=${ondatManifestsFile()}`,
      '--param', 'scaleWorkloads=true', '--param', 'backupConfirmed=true', '--param', 'serviceAccount=default',
      '--param', 'timeoutSeconds=300', '--yes',
    ];
    const { spawn } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, args, { env: { ...process.env, KUBECONFIG: lab.kubeconfig, BACKOUT_RUNS_DIR: runs }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      // Stuck past the deadline: interrupt it as a user would (the CLI cancels the run and says where it was).
      const deadline = setTimeout(() => child.kill('SIGINT'), RUN_DEADLINE_MS);
      child.on('exit', (code) => {
        clearTimeout(deadline);
        resolve({ code, out });
      });
    });
    if (result.code !== 0) assert.fail(`backout run exited ${result.code}:\n${result.out}\n${(await clusterSnapshot().catch((err: unknown) => [String(err)])).join('\n')}`);
    const runId = /Run (\S+): succeeded/.exec(result.out)?.[1];
    assert.ok(runId, result.out);
    await expectDowngraded();
    const saved = fs.readdirSync(path.join(runs, runId, 'backup')).sort();
    assert.deepEqual(saved, ['deployment-storageos-storageos-operator.yaml', 'secret-storageos-storageos-api.yaml', 'storageoscluster-storageos-storageoscluster.yaml']);
  });

  it('resumes a run that died right after creating the downgrade DaemonSet: the DaemonSet is adopted, no AlreadyExists', async () => {
    await ondatInstalled('current');
    const prepared = await plan();
    const crash = new AbortController();
    const first = await run(prepared, new CrashAfter(executor(), 'create-or-adopt', crash), crash.signal);
    assert.equal(first.status, 'cancelled', await failures(first));
    assert.ok(crash.signal.aborted, `the run stopped at the simulated crash, not at its deadline: ${await failures(first)}`);
    const created = first.units.get('create-downgrade-daemonset/kube-system/storageos-downgrade-database');
    assert.equal(created?.state, 'cancelled', 'the journal never recorded the creation as done');
    assert.ok(await pool.get(CONTEXT).find(Resources.daemonSets, 'storageos-downgrade-database', { namespace: 'kube-system' }), 'the DaemonSet exists');

    const resumed = await resumeRun(environment(executor()), first.runId, { signal: AbortSignal.timeout(RUN_DEADLINE_MS) });
    assert.equal(resumed.status, 'succeeded', await failures(resumed));
    const log = fs.readFileSync(path.join(runFolder ?? '', 'logs', 'create-downgrade-daemonset', 'kube-system_storageos-downgrade-database.log'), 'utf8');
    assert.match(log, /adopted DaemonSet kube-system\/storageos-downgrade-database/);
    assert.doesNotMatch(log, /AlreadyExists/);
    await expectDowngraded();
  });

  it('refuses while workloads use Ondat volumes, listing them, and changes nothing', async () => {
    await ondatInstalled('current');
    await assert.rejects(plan({ scaleWorkloads: 'false' }), (e: unknown) => {
      assert.ok(e instanceof OndatRefusedError);
      assert.match(e.message, /Deployment shop\/shop-web \(1 replica; pods shop-web-/);
      assert.match(e.message, /StatefulSet shop\/shop-db \(2 replicas; pods shop-db-0, shop-db-1/);
      return true;
    });
    assert.ok(await pool.get(CONTEXT).find(Resources.storageOSClusters, 'storageoscluster', { namespace: 'storageos' }));
  });

  it('fails within its timeout naming the node whose downgrade init container crash-loops', async () => {
    await ondatInstalled('current');
    const bad = lab.kubelet.nodeNames[2] as string;
    lab.kubelet.setFaults({ initFailure: { node: bad, mode: 'crashloop', podNamePrefix: 'storageos-downgrade-database' } });
    const started = Date.now();
    const state = await run(await plan({ timeoutSeconds: '120' }));
    assert.equal(state.status, 'failed', await failures(state));
    assert.ok(Date.now() - started < 120_000, 'it fails on the first sight of the failure, not at the timeout');
    const failed = [...state.units.values()].filter((u) => u.state === 'failed');
    assert.deepEqual(failed.map((u) => [u.step, u.instance]), [['wait-downgrade-nodes', bad]]);
    assert.match(failed[0]?.reason ?? '', /CrashLoopBackOff|Error/);
    // Nothing after the failed step ran: 2.6.0 is not installed on a half-downgraded cluster.
    const install = [...state.units.values()].filter((u) => u.step === 'install-ondat-operator');
    assert.ok(install.length > 0 && install.every((u) => u.state === 'planned'), JSON.stringify(install.map((u) => u.state)));
  });

  it('fails at once naming the node whose downgrade pod cannot pull its main container\'s image, quoting the kubelet', async () => {
    await ondatInstalled('current');
    const bad = lab.kubelet.nodeNames[1] as string;
    lab.kubelet.setFaults({ imagePullFailure: { node: bad, podNamePrefix: 'storageos-downgrade-database' } });
    const started = Date.now();
    const state = await run(await plan({ timeoutSeconds: '120' }));
    assert.equal(state.status, 'failed', await failures(state));
    assert.ok(Date.now() - started < 110_000, 'it fails on the first sight of the failure, not at the timeout');
    const failed = [...state.units.values()].filter((u) => u.state === 'failed');
    assert.deepEqual(failed.map((u) => [u.step, u.instance]), [['wait-downgrade-nodes', bad]]);
    assert.match(failed[0]?.reason ?? '', /ErrImagePull|ImagePullBackOff|Failed to pull image/);
    const install = [...state.units.values()].filter((u) => u.step === 'install-ondat-operator');
    assert.ok(install.length > 0 && install.every((u) => u.state === 'planned'), JSON.stringify(install.map((u) => u.state)));
  });

  it('fails at once naming the node that lacks /var/lib/storageos (FailedMount of the template\'s hostPath type check)', async () => {
    await ondatInstalled('current');
    const bad = lab.kubelet.nodeNames[0] as string;
    lab.kubelet.setFaults({ missingHostPath: { node: bad, path: '/var/lib/storageos' } });
    const started = Date.now();
    const state = await run(await plan({ timeoutSeconds: '120' }));
    assert.equal(state.status, 'failed', await failures(state));
    assert.ok(Date.now() - started < 110_000, 'it fails on the first sight of the event, not at the timeout');
    const failed = [...state.units.values()].filter((u) => u.state === 'failed');
    assert.deepEqual(failed.map((u) => [u.step, u.instance]), [['wait-downgrade-nodes', bad]]);
    assert.match(failed[0]?.reason ?? '', /FailedMount.*hostPath type check failed: \/var\/lib\/storageos is not a directory/);
    const install = [...state.units.values()].filter((u) => u.step === 'install-ondat-operator');
    assert.ok(install.length > 0 && install.every((u) => u.state === 'planned'), JSON.stringify(install.map((u) => u.state)));
  });

  it('fails at once when the DaemonSet controller can create no downgrade pod (a quota: FailedCreate), quoting the event', async () => {
    await ondatInstalled('current');
    const client = pool.get(CONTEXT);
    const ns = 'ondat-tools';
    await client.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as KubeObject).catch(() => undefined);
    await lab.api.until(`ServiceAccount default in ${ns}`, async () => (await client.find(Resources.serviceAccounts, 'default', { namespace: ns })) !== undefined, 60_000);
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-pods', namespace: ns }, spec: { hard: { pods: '0' } } };
    await lab.api.request('POST', `/api/v1/namespaces/${ns}/resourcequotas`, quota).catch(() => undefined);
    try {
      const started = Date.now();
      const state = await run(await plan({ namespace: ns, timeoutSeconds: '240' }));
      assert.equal(state.status, 'failed', await failures(state));
      assert.ok(Date.now() - started < 200_000, 'it fails on the first sight of the events, not at the 240 s timeout');
      const failed = [...state.units.values()].filter((u) => u.state === 'failed');
      assert.ok(failed.length > 0 && failed.every((u) => u.step === 'wait-downgrade-nodes'), JSON.stringify(failed.map((u) => [u.step, u.instance])));
      assert.match(failed[0]?.reason ?? '', /FailedCreate.*exceeded quota: no-pods/);
    } finally {
      await client.delete(Resources.daemonSets, 'storageos-downgrade-database', { namespace: ns });
      await client.delete(Resources.namespaces, ns);
    }
  });

  it('reads an umbrella-chart release from its Secret in the cluster and refuses to upgrade it with Helm, naming the routes that keep etcd', async () => {
    await ondatInstalled('umbrella');
    await assert.rejects(plan({ installMethod: 'helm' }), (e: unknown) => {
      assert.ok(e instanceof OndatRefusedError, String(e));
      assert.match(e.message, /belongs to Helm release ondat in storageos \(chart ondat 0\.2\.0, revision 1, deployed/);
      assert.match(e.message, /Ondat's etcd, the metadata of every volume/);
      assert.match(e.message, /Secret storageos\/storageos-api, which release ondat owns.*invalid ownership metadata/);
      return true;
    });
    const prepared = await plan({ installMethod: 'kubectl-storageos' });
    assert.ok(prepared.plan.warnings.some((w) => /This run takes the route installMethod=kubectl-storageos/.test(w)));
    assert.ok(await pool.get(CONTEXT).find(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' }), 'nothing was changed');
  });

  it('renders a dry run with every command and the full manifests from what discovery found', async () => {
    await ondatInstalled('current');
    const prepared = await plan();
    const rows = planRows(prepared.plan);
    const text = rows.map((r) => r.command).join('\n');
    assert.doesNotMatch(text, /<discovered>|pending-discovery/);
    assert.match(text, /kube delete StorageOSCluster\/storageoscluster \(storageos\.com\/v1\) -n storageos --context backout-lab-admin/);
    assert.match(text, /kube create-or-adopt DaemonSet\/storageos-downgrade-database \(apps\/v1\) -n kube-system --context backout-lab-admin\napiVersion: apps\/v1\nkind: DaemonSet/);
    assert.match(text, /nodeContainer: "?storageos\/node:v2\.6\.0/);
    assert.deepEqual(rows.filter((r) => r.id === 'wait-downgrade-nodes').map((r) => r.instance), lab.kubelet.nodeNames);
    assert.equal(await pool.get(CONTEXT).find(Resources.daemonSets, 'storageos-downgrade-database', { namespace: 'kube-system' }), undefined, 'nothing was executed');
  });
});
