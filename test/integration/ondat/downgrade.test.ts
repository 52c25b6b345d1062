// End to end through the `backout` command line against the kube lab (3 fake nodes): discovery, refusals, the
// whole downgrade, an interruption right after the DaemonSet was created, and an init container failing on one node.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeLab } from '../../../lab/kube/lab';
import { LabApiError } from '../../../lab/kube/lab-api';
import { ondatNaming, type OndatVariant } from '../../../lab/kube/fixtures/naming';
import { kubeLab } from '../kube/lab';
import { OperatorStandIn } from './operator-stand-in';

const outRoot = path.resolve(__dirname, '../../..');
const CLI = path.join(outRoot, 'src/cli/main.js');
const MODULE = path.join(outRoot, 'src/procedures/ondat/index.js');
const PROCEDURE = 'ondat.downgrade-2.7-to-2.6';
const DS_PATH = '/apis/apps/v1/namespaces/kube-system/daemonsets/storageos-downgrade-database';

const MANIFESTS_2_6 = `apiVersion: storageos.com/v1
kind: StorageOSCluster
metadata:
  name: storageoscluster
  namespace: storageos
spec:
  secretRefName: storageos-api
  storageClassName: storageos
  images:
    nodeContainer: storageos/node:v2.6.0
  kvBackend:
    address: storageos-etcd.storageos-etcd:2379
`;

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function env(lab: KubeLab): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: lab.kubeconfig, BACKOUT_PROCEDURE_MODULES: MODULE };
}

function backout(lab: KubeLab, runs: string, args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args, '--runs-dir', runs], { env: env(lab), encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function params(extra: Record<string, string> = {}): string[] {
  const all: Record<string, string> = {
    context: 'backout-lab-admin',
    installMethod: 'manifests',
    manifests: MANIFESTS_2_6,
    scaleWorkloads: 'true',
    backupConfirmed: 'true',
    // The lab runs kube-controller-manager without per-controller ServiceAccounts, so daemon-set-controller is absent.
    serviceAccount: 'default',
    timeoutSeconds: '300',
    ...extra,
  };
  return Object.entries(all).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
}

async function gone(lab: KubeLab, p: string): Promise<boolean> {
  return !(await lab.api.exists(p));
}

async function replicas(lab: KubeLab, kind: 'deployments' | 'statefulsets', name: string): Promise<number | undefined> {
  const o = await lab.api.request<{ spec?: { replicas?: number } }>('GET', `/apis/apps/v1/namespaces/shop/${kind}/${name}`);
  return o.spec?.replicas;
}

/** A fresh Ondat 2.7.0 install in `variant` naming, with whatever a previous test left removed. */
async function fresh(lab: KubeLab, variant: OndatVariant): Promise<void> {
  await lab.api.request('DELETE', DS_PATH).catch((e: unknown) => {
    if (!(e instanceof LabApiError && e.status === 404)) throw e;
  });
  for (const v of ['current', 'legacy', 'helm'] as const) await lab.removeOndat(ondatNaming(v));
  for (const [kind, name, n] of [['deployments', 'shop-web', 1], ['statefulsets', 'shop-db', 2]] as const) {
    await lab.api.request('PATCH', `/apis/apps/v1/namespaces/shop/${kind}/${name}`, { spec: { replicas: n } }, 'application/merge-patch+json').catch(() => undefined);
  }
  await lab.api.until('downgrade DaemonSet gone', () => gone(lab, DS_PATH), 120_000);
  await lab.applyOndat(variant);
}

function runIdOf(out: string): string {
  const m = /Run (\S+) started/.exec(out);
  assert.ok(m, `the run id is printed: ${out}`);
  return m[1] as string;
}

describe('Ondat downgrade in the kube lab, through the CLI', function () {
  this.timeout(900_000);
  let lab: KubeLab;
  let operator: OperatorStandIn;
  let runs: string;

  before(async function () {
    lab = await kubeLab();
    runs = fs.mkdtempSync(path.join(os.tmpdir(), 'ondat-e2e-runs-'));
    await fresh(lab, 'current');
    const probe = backout(lab, runs, ['plan', PROCEDURE, ...params(), '--json']);
    const doc = JSON.parse(probe.stdout || '{}') as { discovery?: { status?: string } };
    // Until the CLI registers a kube executor it plans offline; nothing here can run then.
    if (doc.discovery?.status !== 'discovered') this.skip();
    operator = new OperatorStandIn(lab.api);
    operator.start();
  });

  after(() => {
    operator?.stop();
    lab?.kubelet.setFaults({});
  });

  it('refuses while workloads use Ondat volumes, listing them, and changes nothing', async () => {
    await fresh(lab, 'current');
    const r = backout(lab, runs, ['run', PROCEDURE, ...params({ scaleWorkloads: 'false' }), '--yes']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Deployment shop\/shop-web \(1 replica/);
    assert.match(r.stderr, /StatefulSet shop\/shop-db \(2 replicas/);
    assert.ok(await lab.api.exists('/apis/storageos.com/v1/namespaces/storageos/storageosclusters/storageoscluster'));
  });

  for (const [variant, operatorName] of [
    ['legacy', 'storageos-operator/storageos-cluster-operator'],
    ['helm', 'storageos/ondat-ondat-operator'],
  ] as const) {
    it(`discovers the ${variant} naming and plans to delete ${operatorName}`, async () => {
      await fresh(lab, variant);
      const r = backout(lab, runs, ['plan', PROCEDURE, ...params(), '--json']);
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { steps: Array<{ id: string; instance: string }>; discovery: { runningVersion: string } };
      assert.equal(doc.discovery.runningVersion, '2.7.0');
      assert.deepEqual(doc.steps.filter((s) => s.id === 'delete-operator').map((s) => s.instance), [operatorName]);
    });
  }

  it('shows every manifest and command in a dry run, and executes nothing', async () => {
    await fresh(lab, 'current');
    const r = backout(lab, runs, ['run', PROCEDURE, ...params(), '--dry-run']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /kube create-or-adopt DaemonSet\/storageos-downgrade-database \(apps\/v1\) -n kube-system --context backout-lab-admin\n\s+apiVersion: apps\/v1/);
    assert.match(r.stdout, /nodeContainer: storageos\/node:v2\.6\.0/);
    for (const id of ['scale-down-workloads', 'delete-storageoscluster', 'delete-operator', 'wait-downgrade-nodes', 'install-ondat-2-6-0', 'verify-cluster-running', 'scale-up-workloads']) {
      assert.match(r.stdout, new RegExp(`\\(${id}\\)`));
    }
    assert.ok(await gone(lab, DS_PATH));
  });

  it('downgrades the current naming end to end: uninstall, per-node DaemonSet, install 2.6.0, verify, scale back', async () => {
    await fresh(lab, 'current');
    const etcdBefore = await lab.api.request<{ metadata: { uid: string } }>('GET', '/apis/apps/v1/namespaces/storageos-etcd/deployments/storageos-etcd-proxy');
    const r = backout(lab, runs, ['run', PROCEDURE, ...params(), '--yes']);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    for (const node of lab.kubelet.nodeNames) assert.match(r.stdout, new RegExp(`wait-downgrade-nodes / ${node}: succeeded`));
    assert.ok(await gone(lab, DS_PATH), 'the downgrade DaemonSet is deleted');
    assert.ok(await gone(lab, '/apis/apps/v1/namespaces/storageos/deployments/storageos-operator'), 'the 2.7 operator is deleted');
    const cr = await lab.api.request<{ status?: { phase?: string }; spec: { images: { nodeContainer: string } } }>('GET', '/apis/storageos.com/v1/namespaces/storageos/storageosclusters/storageoscluster');
    assert.equal(cr.spec.images.nodeContainer, 'storageos/node:v2.6.0');
    assert.equal(cr.status?.phase, 'Running');
    const etcdAfter = await lab.api.request<{ metadata: { uid: string } }>('GET', '/apis/apps/v1/namespaces/storageos-etcd/deployments/storageos-etcd-proxy');
    assert.equal(etcdAfter.metadata.uid, etcdBefore.metadata.uid, 'etcd is left alone');
    assert.equal(await replicas(lab, 'deployments', 'shop-web'), 1);
    assert.equal(await replicas(lab, 'statefulsets', 'shop-db'), 2);
    const folder = path.join(runs, runIdOf(r.stdout));
    const saved = fs.readdirSync(path.join(folder, 'backup')).sort();
    assert.deepEqual(saved, ['deployment-storageos-storageos-operator.yaml', 'secret-storageos-storageos-api.yaml', 'storageoscluster-storageos-storageoscluster.yaml']);
  });

  it('resumes after being killed right after the DaemonSet was created, adopting it (no AlreadyExists)', async () => {
    await fresh(lab, 'current');
    lab.kubelet.setFaults({ readiness: { delayMs: 20_000 } });
    const child: ChildProcess = spawn(process.execPath, [CLI, 'run', PROCEDURE, ...params(), '--yes', '--runs-dir', runs], { env: env(lab) });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    await lab.api.until('the downgrade DaemonSet exists', async () => !(await gone(lab, DS_PATH)), 300_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    lab.kubelet.setFaults({});
    const runId = runIdOf(out);
    const r = backout(lab, runs, ['resume', runId, '--yes']);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /AlreadyExists/);
    const log = fs.readFileSync(path.join(runs, runId, 'logs', 'create-downgrade-daemonset', 'kube-system_storageos-downgrade-database.log'), 'utf8');
    assert.doesNotMatch(log, /AlreadyExists/);
  });

  it('fails within its timeout naming the node whose init container crash-loops', async () => {
    await fresh(lab, 'current');
    const bad = lab.kubelet.nodeNames[1] as string;
    lab.kubelet.setFaults({ initFailure: { node: bad, mode: 'crashloop', podNamePrefix: 'storageos-downgrade-database' } });
    const started = Date.now();
    const r = backout(lab, runs, ['run', PROCEDURE, ...params({ timeoutSeconds: '240' }), '--yes']);
    lab.kubelet.setFaults({});
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.ok(Date.now() - started < 240_000 + 60_000);
    assert.match(r.stdout, new RegExp(`wait-downgrade-nodes / ${bad}: failed.*(CrashLoopBackOff|Error)`));
    assert.ok(!(await gone(lab, DS_PATH)), 'the DaemonSet stays for inspection and a resume');
  });
});
