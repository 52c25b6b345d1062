import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseParameters } from '../../../src/core/parameters';
import { planProblems, type KubeAction, type PlanDraft, type Step } from '../../../src/core/plan';
import { OndatRefusedError } from '../../../src/procedures/ondat/errors';
import type { OndatFacts } from '../../../src/procedures/ondat/facts';
import { ONDAT_PARAMETERS, readParams } from '../../../src/procedures/ondat/parameters';
import { buildPlan, PENDING } from '../../../src/procedures/ondat/plan';
import { factsFromSnapshot, type ClusterSnapshot, type SnapshotExtras } from '../../../src/procedures/ondat/snapshot';
import { parseToolRun, type ToolRun } from '../../../src/core/tool-run';
import { clusterSnapshot, helmRevisions, type FixtureOptions } from './cluster-fixture';

function params(raw: Record<string, string> = {}): ReturnType<typeof readParams> {
  return readParams(parseParameters('ondat.downgrade-2.7-to-2.6', ONDAT_PARAMETERS, { context: 'lab', installMethod: 'manifests-free-helm', ...raw }));
}

function helmParams(raw: Record<string, string> = {}): ReturnType<typeof readParams> {
  return readParams(parseParameters('ondat.downgrade-2.7-to-2.6', ONDAT_PARAMETERS, { context: 'lab', installMethod: 'helm', ...raw }));
}

function facts(o: FixtureOptions = {}, edit?: (s: ClusterSnapshot) => void, extras: Partial<SnapshotExtras> = {}): OndatFacts {
  const snap = clusterSnapshot(o);
  edit?.(snap);
  return factsFromSnapshot('lab', snap, { tools: [{ tool: 'helm', available: true, detail: 'v3.12.0' }], clusterUid: 'uid-of-kube-system', helmReleases: helmRevisions(o.variant), ...extras });
}

function toolRun(step: Step): ToolRun {
  const a = kube(step);
  assert.equal(a.operation, 'run-tool');
  const run = parseToolRun(a.options ?? {});
  assert.ok(typeof run !== 'string', String(run));
  return run;
}

function stepOf(plan: PlanDraft, id: string): Step {
  const s = plan.steps.find((x) => x.id === id);
  assert.ok(s, `plan has step ${id}; it has ${plan.steps.map((x) => x.id).join(', ')}`);
  return s;
}

function kube(step: Step, i = 0): KubeAction {
  const a = step.instances[i]!.action;
  assert.equal(a.kind, 'kube');
  return a as KubeAction;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof OndatRefusedError, `refused with OndatRefusedError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('the plan was refused');
}

describe('Ondat downgrade plan from discovered facts', () => {
  it('refuses an unknown install method through the engine\'s parameter validation', () => {
    assert.throws(() => params(), /installMethod.*one of kubectl-storageos, helm, manifests/);
  });

  for (const [variant, operator, clusterNs] of [
    ['current', 'storageos/storageos-operator', 'storageos'],
    ['legacy', 'storageos-operator/storageos-cluster-operator', 'kube-system'],
    ['helm', 'storageos/ondat-ondat-operator', 'storageos'],
  ] as const) {
    it(`plans the ${variant} naming: deletes ${operator} and waits for node pods in ${clusterNs}`, () => {
      const plan = buildPlan(helmParams({ scaleWorkloads: 'true' }), facts({ variant }));
      assert.deepEqual(planProblems(plan.steps), []);
      assert.deepEqual(stepOf(plan, 'delete-operator').instances.map((i) => i.instance), [operator]);
      assert.equal(kube(stepOf(plan, 'delete-storageoscluster')).namespace, clusterNs);
      const wait = stepOf(plan, 'wait-node-pods-gone').instances[0]!.action;
      assert.equal(wait.kind === 'wait' && wait.until?.kind === 'kube' ? wait.until.namespace : undefined, clusterNs);
      const saved = stepOf(plan, 'save-manifests').instances.map((i) => i.instance);
      assert.deepEqual(saved, [`StorageOSCluster/${clusterNs}/storageoscluster`, `Secret/${clusterNs}/storageos-api`, `Deployment/${operator}`]);
    });
  }

  it('refuses a Helm release name read from the cluster that the helmRelease parameter would not accept', () => {
    for (const bad of ['--post-renderer=/tmp/x', 'Ondat', 'a'.repeat(54), 'ondat;rm']) {
      const f = facts({ variant: 'helm' });
      const tampered: OndatFacts = { ...f, operators: f.operators.map((o) => (o.helmRelease !== undefined ? { ...o, helmRelease: bad } : o)) };
      assert.match(refusal(() => buildPlan(helmParams({ scaleWorkloads: 'true' }), tampered)), /is not a Helm release name/, bad);
    }
    assert.throws(() => helmParams({ helmRelease: 'a'.repeat(54) }), /helmRelease/);
  });

  it('upgrades the ondat-operator release found on the operator, pinned to chart 0.5.5, with its values in a file', () => {
    const plan = buildPlan(helmParams({ scaleWorkloads: 'true' }), facts({ variant: 'helm' }));
    const run = toolRun(stepOf(plan, 'install-ondat-operator'));
    assert.equal(run.tool, 'helm');
    assert.deepEqual(run.args.slice(0, 6), ['upgrade', '--install', 'ondat', 'ondat/ondat-operator', '--version', '0.5.5']);
    assert.equal(run.args[run.args.indexOf('--kube-context') + 1], 'lab');
    assert.equal(run.args[run.args.indexOf('--kubeconfig') + 1], '${kubeconfig}', 'helm gets the run\'s own kubeconfig');
    assert.equal(run.args[run.args.indexOf('-f') + 1], '${file:values.yaml}');
    assert.ok(!run.args.some((a) => a.startsWith('--set')), 'no value on the command line');
    const values = run.files.find((f) => f.name === 'values.yaml');
    assert.ok(values && values.format === 'yaml');
    const cluster = (values.data as { cluster: { kvBackend: { address: string }; admin: { password: string } } }).cluster;
    assert.equal(cluster.kvBackend.address, 'storageos-etcd.storageos-etcd:2379');
    assert.equal(cluster.admin.password, '${secret:adminPassword}', 'the password is a secret placeholder, filled only in the file at execution');
    assert.deepEqual(run.releaseNotPending, { name: 'ondat', namespace: 'storageos' });
    assert.equal(run.clusterUid, 'uid-of-kube-system');
  });

  it('refuses a chart version range or one that does not install 2.6.0', () => {
    assert.throws(() => helmParams({ chartVersion: '^0.5' }), /chartVersion.*exact chart version/);
    assert.throws(() => helmParams({ chartVersion: '0.6.0' }), /0\.5\.4 or 0\.5\.5/);
    assert.throws(() => helmParams({ version: '2.5.0' }), /can only be rolled back to 2\.6\.0/);
  });

  it('installs the operator with kubectl-storageos from its config file, pinned to v2.6.0, on the same etcd', () => {
    const p = readParams(parseParameters('x', ONDAT_PARAMETERS, { context: 'lab', scaleWorkloads: 'true' }));
    const plan = buildPlan(p, facts());
    const run = toolRun(stepOf(plan, 'install-ondat-operator'));
    assert.equal(run.tool, 'kubectl-storageos');
    assert.deepEqual(run.args, ['install', '--stos-config-path', '${dir}'], 'every setting travels in the config file');
    const config = run.files.find((f) => f.name === 'kubectl-storageos-config.yaml');
    assert.ok(config && config.format === 'yaml');
    const spec = (config.data as { kind: string; spec: { skipStorageOSCluster: boolean; install: Record<string, unknown> } });
    assert.equal(spec.kind, 'KubectlStorageOSConfig');
    assert.equal(spec.spec.install.storageOSVersion, 'v2.6.0');
    assert.equal(spec.spec.install.etcdEndpoints, 'storageos-etcd.storageos-etcd:2379');
    assert.equal(spec.spec.skipStorageOSCluster, true, 'the saved cluster is recreated by the next step');
    assert.deepEqual(stepOf(plan, 'check-install-tool').instances.map((i) => i.instance), ['kubectl-storageos']);
    assert.equal(stepOf(plan, 'create-storageoscluster').instances[0]!.instance, 'storageos/storageoscluster');
    assert.ok(!JSON.stringify(plan.steps).includes('${secret:'), 'the plugin route needs no secret: the cluster keeps its own Secret');
  });

  it('has the StorageOSCluster creation re-check the planned cluster right before it acts, as the tool runs do', () => {
    const p = readParams(parseParameters('x', ONDAT_PARAMETERS, { context: 'lab', scaleWorkloads: 'true' }));
    const action = kube(stepOf(buildPlan(p, facts()), 'create-storageoscluster'));
    assert.equal(action.operation, 'create-or-adopt');
    assert.equal(action.options?.clusterUid, 'uid-of-kube-system');
  });

  it('refuses when Ondat 2.6.0 already runs, saying what was found', () => {
    const msg = refusal(() => buildPlan(helmParams({ scaleWorkloads: 'true' }), facts({ nodeImage: 'storageos/node:v2.6.0' })));
    assert.match(msg, /found Ondat 2\.6\.0 in context lab, not 2\.7\.x — Ondat 2\.6\.0 already runs/);
    assert.match(msg, /node pod storageos\/storageos-node-0 on node-1: storageos\/node:v2\.6\.0/);
  });

  it('refuses 2.8.0 as a version this procedure does not downgrade', () => {
    assert.match(refusal(() => buildPlan(helmParams({ scaleWorkloads: 'true' }), facts({ nodeImage: 'storageos/node:v2.8.0' }))), /found Ondat 2\.8\.0.*downgrades 2\.7\.x only/);
  });

  it('refuses when versions disagree, as during an unfinished upgrade', () => {
    const msg = refusal(() =>
      buildPlan(
        helmParams({ scaleWorkloads: 'true' }),
        facts({}, (s) => {
          ((s.pods[0]!.spec as { containers: Array<{ image: string }> }).containers[0]!).image = 'storageos/node:v2.6.0';
        }),
      ),
    );
    assert.match(msg, /versions disagree in context lab \(2\.7\.0, 2\.6\.0\)|versions disagree in context lab \(2\.6\.0, 2\.7\.0\)/);
  });

  it('refuses when no StorageOSCluster exists or the CRD is not installed', () => {
    assert.match(refusal(() => buildPlan(helmParams(), facts({}, (s) => (s.storageOSClusters = [])))), /no StorageOSCluster in any namespace of context lab/);
    assert.match(refusal(() => buildPlan(helmParams(), facts({}, (s) => delete s.storageOSClusters))), /CRD is not installed/);
  });

  it('refuses while workloads use Ondat volumes when told not to scale them, listing each with its replicas, pods and claims', () => {
    const msg = refusal(() => buildPlan(helmParams({ scaleWorkloads: 'false' }), facts()));
    assert.match(msg, /Deployment shop\/shop-web \(1 replica; pods shop-web-5d8f-abcde; claims web-data\)/);
    assert.match(msg, /StatefulSet shop\/shop-db \(2 replicas; pods shop-db-0, shop-db-1; claims data-shop-db-0, data-shop-db-1\)/);
    assert.match(msg, /--param scaleWorkloads=true/);
  });

  it('scales workloads on Ondat volumes by default, behind a gate that names each one with its count', () => {
    const plan = buildPlan(helmParams(), facts());
    const down = stepOf(plan, 'scale-down-workloads');
    assert.equal(down.destructive, true);
    assert.match(down.title, /Deployment shop\/shop-web → 0, StatefulSet shop\/shop-db → 0/);
  });

  it('with scaleWorkloads, scales them to zero first and back to the recorded counts last', () => {
    const plan = buildPlan(helmParams({ scaleWorkloads: 'true' }), facts());
    const down = stepOf(plan, 'scale-down-workloads');
    assert.deepEqual(down.instances.map((i) => [i.instance, kube(down, down.instances.indexOf(i)).options?.replicas]), [
      ['Deployment/shop/shop-web', 0],
      ['StatefulSet/shop/shop-db', 0],
    ]);
    const up = stepOf(plan, 'scale-up-workloads');
    assert.deepEqual(up.instances.map((i, n) => [i.instance, kube(up, n).options?.replicas]), [
      ['Deployment/shop/shop-web', 1],
      ['StatefulSet/shop/shop-db', 2],
    ]);
    assert.match(up.title, /Deployment shop\/shop-web → 1, StatefulSet shop\/shop-db → 2/);
    assert.match(down.title, /Deployment shop\/shop-web → 0, StatefulSet shop\/shop-db → 0/);
    const ids = plan.steps.map((s) => s.id);
    assert.ok(ids.indexOf('scale-down-workloads') < ids.indexOf('delete-storageoscluster'));
    assert.equal(ids[ids.length - 1], 'scale-up-workloads');
    assert.ok(ids.indexOf('verify-cluster-running') < ids.indexOf('scale-up-workloads'));
  });

  it('refuses a bare pod on an Ondat volume: it cannot be scaled', () => {
    const msg = refusal(() =>
      buildPlan(
        helmParams({ scaleWorkloads: 'true' }),
        facts({}, (s) => {
          delete (s.pods.find((p) => (p.metadata as { name: string }).name === 'shop-db-0')!.metadata as { ownerReferences?: unknown }).ownerReferences;
        }),
      ),
    );
    assert.match(msg, /cannot be scaled to zero by Backout: Pod shop\/shop-db-0/);
  });

  it('needs no workload step when no pod uses Ondat volumes', () => {
    const plan = buildPlan(helmParams(), facts({ workloadsRunning: false }));
    assert.ok(!plan.steps.some((s) => s.id.startsWith('scale-')));
    assert.ok(plan.steps.some((s) => s.id === 'check-volumes-released'));
  });

  it('waits for the downgrade per node and fails fast on an init container failure', () => {
    const plan = buildPlan(helmParams({ scaleWorkloads: 'true' }), facts());
    const wait = stepOf(plan, 'wait-downgrade-nodes');
    assert.deepEqual(wait.instances.map((i) => i.instance), ['node-1', 'node-2', 'node-3']);
    assert.equal(wait.concurrency, 3);
    assert.equal(wait.timeoutMs, 1800 * 1000);
    const a = wait.instances[1]!.action;
    assert.ok(a.kind === 'wait' && a.until?.kind === 'kube');
    assert.equal(a.until.operation, 'rollout-status');
    assert.deepEqual(a.until.options, { logLines: 50, node: 'node-2' });
    assert.ok(new RegExp(a.failWhenOutputMatches!, 'm').test('ready=1/3\nFAILED node=node-2 pod=p container=downgrade-database reason=CrashLoopBackOff exitCode=1'));
  });

  it('sends the full rendered DaemonSet, adopting only an identical one left by an interrupted run', () => {
    const plan = buildPlan(helmParams({ scaleWorkloads: 'true', namespace: 'kube-system', timeoutSeconds: '600' }), facts());
    const create = kube(stepOf(plan, 'create-downgrade-daemonset'));
    assert.equal(create.operation, 'create-or-adopt');
    const ds = parse(create.manifest!);
    assert.equal(ds.metadata.namespace, 'kube-system');
    assert.deepEqual(create.options?.adoptWhenAnnotation, { key: 'backout.io/template-hash', value: ds.metadata.annotations['backout.io/template-hash'] });
    assert.equal(stepOf(plan, 'wait-downgrade-nodes').timeoutMs, 600_000);
    assert.equal(kube(stepOf(plan, 'delete-downgrade-daemonset')).operation, 'delete');
  });

  it('refuses when a node that runs Ondat would be left out by the node selector', () => {
    const msg = refusal(() => buildPlan(helmParams({ scaleWorkloads: 'true', nodeSelector: 'kubernetes.io/hostname=node-1' }), facts()));
    assert.match(msg, /node node-2 runs Ondat, but the downgrade DaemonSet would not run there/);
  });

  it('checks the etcd objects found before and after every phase, by uid and generation', () => {
    const plan = buildPlan(helmParams({ scaleWorkloads: 'true' }), facts());
    const ids = plan.steps.map((s) => s.id).filter((id) => id.startsWith('check-etcd'));
    assert.deepEqual(ids, ['check-etcd-before', 'check-etcd-after-uninstall', 'check-etcd-after-downgrade', 'check-etcd-final']);
    const a = kube(stepOf(plan, 'check-etcd-before'));
    assert.equal(a.operation, 'assert-unchanged');
    const objects = a.options?.objects as Array<{ kind: string; name: string; uid: string }>;
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.name}`).sort(), ['Deployment/storageos-etcd-controller-manager', 'Deployment/storageos-etcd-proxy', 'EtcdCluster/storageos-etcd']);
    assert.ok(objects.every((o) => o.uid.length > 0));
  });

  it('never plans an etcd deletion or a wipe of /var/lib/storageos', () => {
    const plan = buildPlan(helmParams({ scaleWorkloads: 'true' }), facts());
    const text = JSON.stringify(plan.steps);
    assert.ok(!/etcdctl|rm -rf|include-etcd/.test(text));
    for (const s of plan.steps) {
      for (const i of s.instances) {
        if (i.action.kind === 'kube' && i.action.operation === 'delete') assert.notEqual(i.action.namespace, 'storageos-etcd');
      }
    }
  });

  it('asks for the backup confirmation as a manual step unless it was given up front', () => {
    const asked = buildPlan(helmParams({ scaleWorkloads: 'true' }), facts());
    assert.equal(stepOf(asked, 'confirm-backup').instances[0]!.action.kind, 'manual');
    const given = buildPlan(helmParams({ scaleWorkloads: 'true', backupConfirmed: 'true' }), facts());
    assert.ok(!given.steps.some((s) => s.id === 'confirm-backup'));
    assert.ok(given.warnings!.some((w) => /Backups confirmed up front/.test(w)));
  });

  it('gives every step the vendor passage it implements', () => {
    const plan = buildPlan(helmParams({ scaleWorkloads: 'true' }), facts());
    for (const s of plan.steps) assert.match(s.source, /Step [123]|Prerequisites/, `step ${s.id} names its source`);
  });

  function manifestsPlan(text: string): PlanDraft {
    const p = readParams(parseParameters('x', ONDAT_PARAMETERS, { context: 'lab', installMethod: 'manifests', scaleWorkloads: 'true', manifestsFile: '/srv/ondat-2.6.0.yaml' }));
    return buildPlan(p, facts({}, undefined, { manifests: { file: '/srv/ondat-2.6.0.yaml', text } }));
  }

  it('refuses manifests that do not pin the node image to v2.6.0', () => {
    const manifests = 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: x\n  namespace: storageos\nspec:\n  template:\n    spec:\n      containers:\n        - image: storageos/node:latest\n';
    assert.match(refusal(() => manifestsPlan(manifests)), /manifestsFile \/srv\/ondat-2\.6\.0\.yaml cannot be installed.*storageos\/node:latest is not pinned/);
  });

  it('applies the operator manifests object by object through the API, and the saved cluster instead of theirs', () => {
    const manifests = [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: storageos\n',
      'apiVersion: storageos.com/v1\nkind: StorageOSCluster\nmetadata:\n  name: storageos\n  namespace: storageos\nspec:\n  images:\n    nodeContainer: storageos/node:v2.6.0\n',
    ].join('---\n');
    const plan = manifestsPlan(manifests);
    const s = stepOf(plan, 'install-ondat-operator');
    assert.deepEqual(s.instances.map((i) => i.instance), ['Namespace/storageos']);
    assert.equal(kube(s).operation, 'create-or-adopt');
    assert.ok(plan.warnings!.some((w) => /StorageOSCluster storageos\/storageos is not applied; the saved cluster is recreated instead/.test(w)));
    assert.equal(kube(stepOf(plan, 'create-storageoscluster')).operation, 'create-or-adopt');
    assert.ok(!plan.steps.some((x) => x.id === 'check-install-tool'), 'manifests need no local tool');
  });

  it('refuses installMethod=manifests without manifestsFile, and a manifestsFile that is not an absolute path', () => {
    const p = readParams(parseParameters('x', ONDAT_PARAMETERS, { context: 'lab', installMethod: 'manifests', scaleWorkloads: 'true' }));
    assert.match(refusal(() => buildPlan(p, facts())), /installMethod=manifests needs manifestsFile/);
    assert.throws(() => parseParameters('x', ONDAT_PARAMETERS, { context: 'lab', manifestsFile: 'ondat.yaml' }), /manifestsFile.*absolute path/);
  });

  it('refuses a downgrade namespace whose ServiceAccount does not exist, naming the fix, before anything changes', () => {
    const msg = refusal(() => buildPlan(helmParams({ scaleWorkloads: 'true', namespace: 'storageos' }), facts()));
    assert.match(msg, /ServiceAccount storageos\/daemon-set-controller does not exist in context lab: the DaemonSet controller could create no downgrade pod \(FailedCreate\)/);
    assert.match(msg, /kubectl -n storageos create serviceaccount daemon-set-controller/);
    assert.match(refusal(() => buildPlan(helmParams({ scaleWorkloads: 'true', namespace: 'ondat-tools', serviceAccount: 'default' }), facts())), /namespace ondat-tools does not exist/);
    assert.ok(buildPlan(helmParams({ scaleWorkloads: 'true', namespace: 'storageos', serviceAccount: 'default' }), facts()).steps.length > 0);
  });

  it('without facts, renders the whole plan and names the steps that depend on discovery', () => {
    const plan = buildPlan(helmParams({ scaleWorkloads: 'true' }), { status: 'absent', reason: 'offline' });
    assert.deepEqual(planProblems(plan.steps), []);
    const depends = (plan.extra?.discovery as { dependsOnDiscovery: string[] }).dependsOnDiscovery;
    for (const id of ['scale-down-workloads', 'save-manifests', 'delete-storageoscluster', 'delete-operator', 'wait-downgrade-nodes', 'check-etcd-before']) {
      assert.ok(depends.includes(id), `${id} depends on discovery`);
      assert.equal(stepOf(plan, id).instances[0]!.instance, PENDING);
    }
    assert.ok(!depends.includes('create-downgrade-daemonset'));
    assert.match(plan.warnings![0]!, /Planned without discovery \(offline\)/);
  });
});
