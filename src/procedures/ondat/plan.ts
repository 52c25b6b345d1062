// The pure planner: parameters and discovered facts in, the steps of the downgrade out, each carrying the vendor
// passage it implements. Without facts (planning offline) the plan is rendered all the same and says which steps
// depend on discovery; their instances then stand for what discovery would find.
import { InvalidParameterError } from '../../core/errors';
import type { JsonObject } from '../../core/json';
import type { PlanBlocker, PlanDraft, Step, StepInstance } from '../../core/plan';
import { assess } from './assess';
import { DEFAULT_TEMPLATE } from './default-template';
import { analyzeTemplate, TEMPLATE_HASH_ANNOTATION, type RenderedDowngrade } from './downgrade-template';
import { OndatRefusedError } from './errors';
import type { DiscoveryResult, OndatFacts, OperatorFact, StorageOSClusterFact, WorkloadFact } from './facts';
import { helmDecision, latestReleases } from './helm-decision';
import { installSteps, toolCheckArgv } from './install';
import { selectorString } from './kube-json';
import {
  assertUnchangedAction,
  createOrAdoptAction,
  deleteAction,
  listAction,
  rolloutStatusAction,
  saveAction,
  scaleAction,
  volumeUsersAction,
  type ObjectFingerprint,
} from './kube-operations';
import { NODE_POD_LABELS, ONDAT_PROVISIONER, PROCEDURE_ID, STORAGEOS_CLUSTER, TARGET_NODE_IMAGE } from './names';
import { daemonSetPlacement } from './nodes';
import type { OndatParams } from './parameters';
import { SOURCES } from './sources';
import { formatDiagnostic } from './template-diagnostic';
import { TemplateInvalidError } from './template-errors';
import { isTemplateParameterName, TEMPLATE_ACCEPTS, type TemplateParameterName } from './template-parameters';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Instance name of a step whose instances discovery would decide. */
export const PENDING = 'pending-discovery';
/** Stands for a name only discovery knows; not a valid Kubernetes name, so it can never reach a cluster. */
const UNKNOWN = '<discovered>';
const LOG_LINES = 50;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function workloadType(w: WorkloadFact): { apiVersion: string; kind: string } {
  return { apiVersion: w.apiVersion, kind: w.kind };
}

function workloadInstance(w: WorkloadFact): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}

interface Context {
  params: OndatParams;
  facts?: OndatFacts;
  rendered: RenderedDowngrade;
  cluster?: StorageOSClusterFact;
  dependsOnDiscovery: string[];
}

function step(s: Omit<Step, 'instances'>, instances: StepInstance[], c: Context, fromDiscovery: boolean): Step {
  if (fromDiscovery && !c.facts) c.dependsOnDiscovery.push(s.id);
  return { ...s, instances };
}

function etcdCheck(c: Context, id: string, when: string): Step | undefined {
  const objects: ObjectFingerprint[] = c.facts
    ? c.facts.etcd.objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name, uid: o.uid, ...(o.generation !== undefined ? { generation: o.generation } : {}) }))
    : [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: UNKNOWN, name: UNKNOWN, uid: UNKNOWN }];
  if (c.facts && objects.length === 0) return undefined;
  const namespaces = c.facts ? (c.facts.etcd.namespace ? [c.facts.etcd.namespace] : []) : [UNKNOWN];
  return step(
    {
      id,
      title: `Check that etcd is untouched ${when} (${c.facts ? `${objects.length} objects in ${namespaces.join(', ')}` : 'objects found by discovery'})`,
      source: SOURCES.step1Etcd,
      kind: 'kube',
      destructive: false,
      idempotent: true,
      timeoutMs: 2 * MINUTE,
    },
    [{ instance: c.facts?.etcd.namespace ?? (c.facts ? 'etcd' : PENDING), action: assertUnchangedAction(c.params.context, objects, namespaces) }],
    c,
    true,
  );
}

function toolStep(c: Context): Step | undefined {
  const check = toolCheckArgv(c.params.installMethod);
  if (!check) return undefined;
  const instances: StepInstance[] = [{ instance: check.tool, action: { kind: 'local', argv: check.argv } }];
  return step(
    {
      id: 'check-install-tool',
      title: `Check that ${check.tool} is installed, before anything changes`,
      source: `${SOURCES.prereqCliTool} The 2.6.0 install (${SOURCES.step3.split(':')[0]}) needs ${check.tool}.`,
      kind: 'local',
      destructive: false,
      idempotent: true,
      timeoutMs: MINUTE,
    },
    instances,
    c,
    false,
  );
}

/** "Deployment shop/shop-web → 1, StatefulSet shop/shop-db → 2": the counts a dry run must show (options are not rendered). */
function counts(workloads: readonly WorkloadFact[], to: (w: WorkloadFact) => number): string {
  return workloads.map((w) => `${w.kind} ${w.namespace}/${w.name} → ${to(w)}`).join(', ');
}

function scaleSteps(c: Context): { down?: Step; up?: Step } {
  if (!c.params.scaleWorkloads) return {};
  const workloads = c.facts?.workloads;
  if (workloads && workloads.length === 0) return {};
  const down = step(
    {
      id: 'scale-down-workloads',
      title: `Scale workloads using Ondat volumes to zero (their replica counts are recorded in this plan)${workloads ? `: ${counts(workloads, () => 0)}` : ''}`,
      source: SOURCES.prereqScaleDown,
      kind: 'kube',
      destructive: true,
      idempotent: true,
      timeoutMs: 2 * MINUTE,
    },
    workloads
      ? workloads.map((w) => ({ instance: workloadInstance(w), action: scaleAction(c.params.context, workloadType(w), w.namespace, w.name, 0) }))
      : [{ instance: PENDING, action: scaleAction(c.params.context, { apiVersion: 'apps/v1', kind: 'Deployment' }, UNKNOWN, UNKNOWN, 0) }],
    c,
    true,
  );
  const up = step(
    {
      id: 'scale-up-workloads',
      title: `Scale the workloads back to their recorded replica counts${workloads ? `: ${counts(workloads, (w) => w.replicas ?? 1)}` : ''}`,
      source: `${SOURCES.prereqScaleDown} (undone once 2.6.0 is verified)`,
      kind: 'kube',
      destructive: false,
      idempotent: true,
      timeoutMs: 2 * MINUTE,
    },
    workloads
      ? workloads.map((w) => ({ instance: workloadInstance(w), action: scaleAction(c.params.context, workloadType(w), w.namespace, w.name, w.replicas ?? 1) }))
      : [{ instance: PENDING, action: scaleAction(c.params.context, { apiVersion: 'apps/v1', kind: 'Deployment' }, UNKNOWN, UNKNOWN, 1) }],
    c,
    true,
  );
  return { down, up };
}

function backupStep(c: Context): Step {
  const ctx = c.params.context;
  const instances: StepInstance[] = [];
  const cl = c.cluster;
  if (!c.facts || !cl) {
    instances.push({ instance: PENDING, action: saveAction(ctx, STORAGEOS_CLUSTER, UNKNOWN, UNKNOWN, 'backup/storageoscluster.yaml') });
  } else {
    instances.push({ instance: `StorageOSCluster/${cl.namespace}/${cl.name}`, action: saveAction(ctx, STORAGEOS_CLUSTER, cl.namespace, cl.name, `backup/storageoscluster-${cl.namespace}-${cl.name}.yaml`) });
    const secrets = [cl.secretRef, cl.etcdTlsSecretRef].filter((s): s is NonNullable<typeof s> => s !== undefined);
    for (const s of secrets) {
      const inst = `Secret/${s.namespace}/${s.name}`;
      if (instances.some((i) => i.instance === inst)) continue;
      instances.push({ instance: inst, action: saveAction(ctx, { apiVersion: 'v1', kind: 'Secret' }, s.namespace, s.name, `backup/secret-${s.namespace}-${s.name}.yaml`) });
    }
    for (const o of c.facts.operators) {
      instances.push({ instance: `Deployment/${o.namespace}/${o.name}`, action: saveAction(ctx, { apiVersion: 'apps/v1', kind: 'Deployment' }, o.namespace, o.name, `backup/deployment-${o.namespace}-${o.name}.yaml`) });
    }
  }
  return step(
    {
      id: 'save-manifests',
      title: 'Save the StorageOSCluster, the Secrets it references and the operator Deployment as YAML in the run folder',
      source: `${SOURCES.step1} (kept so that 2.7.0 can be reinstalled as it was)`,
      kind: 'kube',
      destructive: false,
      idempotent: true,
      timeoutMs: 2 * MINUTE,
    },
    instances,
    c,
    true,
  );
}

function uninstallSteps(c: Context): Step[] {
  const ctx = c.params.context;
  const cl = c.cluster;
  const steps: Step[] = [];
  steps.push(
    step(
      {
        id: 'delete-storageoscluster',
        title: `Delete the StorageOSCluster ${cl ? `${cl.namespace}/${cl.name}` : '(found by discovery)'} and wait until it is gone`,
        source: SOURCES.step1DeleteCr,
        kind: 'kube',
        destructive: true,
        idempotent: true,
        timeoutMs: 6 * MINUTE,
      },
      [
        {
          instance: cl ? `${cl.namespace}/${cl.name}` : PENDING,
          action: deleteAction(ctx, STORAGEOS_CLUSTER, cl?.namespace ?? UNKNOWN, cl?.name ?? UNKNOWN, { waitGone: true, timeoutSeconds: 300, ...(cl ? { uid: cl.uid } : {}) }),
        },
      ],
      c,
      true,
    ),
  );
  const ds = c.facts?.nodeDaemonSets[0];
  const podNamespace = ds?.namespace ?? cl?.namespace ?? UNKNOWN;
  const podSelector = ds && Object.keys(ds.selector).length > 0 ? ds.selector : NODE_POD_LABELS;
  steps.push(
    step(
      {
        id: 'wait-node-pods-gone',
        title: `Wait until the Ondat node pods are gone from ${podNamespace === UNKNOWN ? 'the cluster namespace' : podNamespace}`,
        source: `${SOURCES.step1} (domain notes: "delete storageoscluster; wait pods gone; delete operator")`,
        kind: 'wait',
        destructive: false,
        idempotent: true,
        timeoutMs: 10 * MINUTE,
      },
      [
        {
          instance: podNamespace === UNKNOWN ? PENDING : podNamespace,
          action: {
            kind: 'wait',
            description: `no pod labelled ${selectorString(podSelector)} left in ${podNamespace}`,
            until: listAction(ctx, { apiVersion: 'v1', kind: 'Pod' }, { namespace: podNamespace, labelSelector: selectorString(podSelector), expect: 'none', output: 'names' }),
            intervalMs: 3 * SECOND,
          },
        },
      ],
      c,
      true,
    ),
  );
  const operators: OperatorFact[] | undefined = c.facts?.operators;
  if (!operators || operators.length > 0) {
    steps.push(
      step(
        {
          id: 'delete-operator',
          title: `Delete the Ondat operator Deployment${operators ? ` (${operators.map((o) => `${o.namespace}/${o.name}, ${o.scheme} naming`).join('; ')})` : ' (found by discovery under any naming scheme)'}`,
          source: SOURCES.step1DeleteOperator,
          kind: 'kube',
          destructive: true,
          idempotent: true,
          timeoutMs: 3 * MINUTE,
        },
        operators
          ? operators.map((o) => ({
              instance: `${o.namespace}/${o.name}`,
              action: deleteAction(ctx, { apiVersion: 'apps/v1', kind: 'Deployment' }, o.namespace, o.name, { waitGone: true, timeoutSeconds: 120, uid: o.uid }),
            }))
          : [{ instance: PENDING, action: deleteAction(ctx, { apiVersion: 'apps/v1', kind: 'Deployment' }, UNKNOWN, UNKNOWN, { waitGone: true, timeoutSeconds: 120 }) }],
        c,
        true,
      ),
    );
  }
  return steps;
}

function downgradeSteps(c: Context): Step[] {
  const ctx = c.params.context;
  const r = c.rendered;
  const ns = r.values.namespace;
  const name = r.values.name;
  const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
  const nodes = c.facts ? daemonSetPlacement(c.facts.nodes, r.object).scheduled : undefined;
  return [
    step(
      {
        id: 'create-downgrade-daemonset',
        title: `Create the downgrade DaemonSet ${ns}/${name} (an existing one from an interrupted run is adopted when identical, replaced otherwise)`,
        source: `${SOURCES.step2} ${SOURCES.step2Idempotent}`,
        kind: 'kube',
        destructive: true,
        idempotent: true,
        timeoutMs: 3 * MINUTE,
      },
      [{ instance: `${ns}/${name}`, action: createOrAdoptAction(ctx, r.manifest, ds, ns, name, { adoptWhenAnnotation: { key: TEMPLATE_HASH_ANNOTATION, value: r.hash }, replaceTimeoutSeconds: 120 }) }],
      c,
      false,
    ),
    step(
      {
        id: 'wait-downgrade-nodes',
        title: `Wait for the database downgrade on ${nodes ? `each of ${nodes.length} nodes` : 'every node'} (fails at once on an init container in Error or CrashLoopBackOff)`,
        source: `${SOURCES.step2} (the vendor script waits until numberReady equals desiredNumberScheduled)`,
        kind: 'wait',
        destructive: false,
        idempotent: true,
        timeoutMs: r.values.timeoutSeconds * SECOND,
        ...(nodes && nodes.length > 0 ? { concurrency: nodes.length } : {}),
      },
      (nodes ?? [PENDING]).map((node) => ({
        instance: node,
        action: {
          kind: 'wait',
          description: node === PENDING ? `every node's downgrade pod of ${ns}/${name} Ready` : `the downgrade pod of ${ns}/${name} on ${node} Ready`,
          until: rolloutStatusAction(ctx, ns, name, { logLines: LOG_LINES, ...(node === PENDING ? {} : { node }) }),
          intervalMs: 3 * SECOND,
          failWhenOutputMatches: '^FAILED .*',
        },
      })),
      c,
      true,
    ),
    step(
      {
        id: 'wait-downgrade-complete',
        title: `Check that every node scheduled has completed (numberReady == desiredNumberScheduled, non-zero)`,
        source: `${SOURCES.step2} (the vendor script's completion test)`,
        kind: 'wait',
        destructive: false,
        idempotent: true,
        timeoutMs: 5 * MINUTE,
      },
      [
        {
          instance: `${ns}/${name}`,
          action: {
            kind: 'wait',
            description: `DaemonSet ${ns}/${name}: numberReady == desiredNumberScheduled > 0`,
            until: rolloutStatusAction(ctx, ns, name, { logLines: LOG_LINES }),
            intervalMs: 3 * SECOND,
            failWhenOutputMatches: '^FAILED .*',
          },
        },
      ],
      c,
      false,
    ),
    step(
      {
        id: 'delete-downgrade-daemonset',
        title: `Delete the downgrade DaemonSet ${ns}/${name}`,
        source: SOURCES.step2,
        kind: 'kube',
        destructive: false,
        idempotent: true,
        timeoutMs: 3 * MINUTE,
      },
      [{ instance: `${ns}/${name}`, action: deleteAction(ctx, ds, ns, name, { waitGone: true, timeoutSeconds: 120 }) }],
      c,
      false,
    ),
  ];
}

function verifySteps(c: Context): Step[] {
  const ctx = c.params.context;
  const image = `(^|/)${escapeRegExp(TARGET_NODE_IMAGE)}$`;
  return [
    step(
      {
        id: 'verify-node-pods',
        title: `Verify the Ondat node pods run ${TARGET_NODE_IMAGE}`,
        source: `${SOURCES.step3} (domain notes: verify the storageos-node pods)`,
        kind: 'wait',
        destructive: false,
        idempotent: true,
        timeoutMs: 15 * MINUTE,
      },
      [
        {
          instance: 'node-pods',
          action: {
            kind: 'wait',
            description: `pods labelled ${selectorString(NODE_POD_LABELS)} exist, are Running and run ${TARGET_NODE_IMAGE}`,
            until: listAction(ctx, { apiVersion: 'v1', kind: 'Pod' }, {
              allNamespaces: true,
              labelSelector: selectorString(NODE_POD_LABELS),
              expect: 'some',
              expectEach: [
                { path: 'status.phase', equals: 'Running' },
                { path: 'spec.containers.0.image', matches: image },
              ],
              output: 'names',
            }),
            intervalMs: 5 * SECOND,
          },
        },
      ],
      c,
      false,
    ),
    step(
      {
        id: 'verify-cluster-running',
        title: 'Verify the StorageOSCluster reports phase Running',
        source: `${SOURCES.step3} (CRD printer column status = .status.phase)`,
        kind: 'wait',
        destructive: false,
        idempotent: true,
        timeoutMs: 10 * MINUTE,
      },
      [
        {
          instance: 'storageoscluster',
          action: {
            kind: 'wait',
            description: 'a StorageOSCluster exists and every one is in phase Running',
            until: listAction(ctx, STORAGEOS_CLUSTER, { allNamespaces: true, expect: 'some', expectEach: [{ path: 'status.phase', equals: 'Running' }], output: 'names' }),
            intervalMs: 5 * SECOND,
          },
        },
      ],
      c,
      false,
    ),
  ];
}

/** What `plan --json` shows besides the steps: what discovery found and what the decisions were. */
function extra(c: Context, version: string | undefined): JsonObject {
  const r = c.rendered;
  const template: JsonObject = {
    source: c.params.template ? 'parameter template' : 'built-in',
    values: { ...r.values, nodeSelector: { ...r.values.nodeSelector } },
    hash: r.hash,
  };
  if (!c.facts) {
    return {
      discovery: { status: 'absent', dependsOnDiscovery: [...c.dependsOnDiscovery] },
      template,
      installMethod: c.params.installMethod,
    };
  }
  const f = c.facts;
  return {
    discovery: {
      status: 'discovered',
      runningVersion: version ?? null,
      storageOSCluster: c.cluster ? `${c.cluster.namespace}/${c.cluster.name}` : null,
      operators: f.operators.map((o) => ({ namespace: o.namespace, name: o.name, scheme: o.scheme })),
      etcd: { namespace: f.etcd.namespace ?? null, endpoints: f.etcd.endpoints ?? null, objects: f.etcd.objects.length },
      workloads: f.workloads.map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, replicas: w.replicas ?? null })),
      nodes: daemonSetPlacement(f.nodes, r.object).scheduled,
    },
    template,
    installMethod: c.params.installMethod,
  };
}

/**
 * The template rendered with the run's overrides. A bad --param value is reported like any invalid parameter (the
 * CLI's usage exit code); a problem in the template text itself lists every line at fault.
 */
function renderForPlan(params: OndatParams): RenderedDowngrade {
  const analysis = analyzeTemplate(params.template ?? DEFAULT_TEMPLATE, params.overrides);
  if (analysis.rendered) return analysis.rendered;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  if (first?.parameter && isTemplateParameterName(first.parameter) && errors.every((d) => d.parameter !== undefined && params.overrides[d.parameter as TemplateParameterName] !== undefined)) {
    throw new InvalidParameterError(PROCEDURE_ID, first.parameter, `is not accepted: ${first.message.replace(/ \(given as --param .*\)$/, '')}`, TEMPLATE_ACCEPTS[first.parameter]);
  }
  throw new TemplateInvalidError(params.template ? 'template parameter' : 'built-in template', analysis.diagnostics);
}

export function buildPlan(params: OndatParams, discovery: DiscoveryResult | undefined): PlanDraft {
  const facts = discovery?.status === 'discovered' ? discovery : undefined;
  const rendered = renderForPlan(params);
  const warnings: string[] = rendered.warnings.map((d) => `Downgrade template, ${formatDiagnostic(d)}`);
  let cluster: StorageOSClusterFact | undefined;
  let version: string | undefined;
  let pendingBlockers: PlanBlocker[] = [];
  if (facts) {
    const a = assess(facts, params);
    const placement = daemonSetPlacement(facts.nodes, rendered.object);
    const ranOndat = new Set(facts.nodePods.map((p) => p.node).filter((n): n is string => n !== undefined));
    for (const ex of placement.excluded) {
      if (ranOndat.has(ex.node)) {
        a.refusals.push(`node ${ex.node} runs Ondat, but the downgrade DaemonSet would not run there (${ex.why}), leaving its database in the 2.7 format; adjust nodeSelector or add tolerations in the template`);
      }
    }
    const sa = `${rendered.values.namespace}/${rendered.values.serviceAccount}`;
    if (facts.serviceAccounts && !facts.serviceAccounts.includes(sa)) {
      const nsExists = facts.serviceAccounts.some((s) => s.startsWith(`${rendered.values.namespace}/`));
      a.refusals.push(
        `${nsExists ? `ServiceAccount ${sa} does not exist` : `namespace ${rendered.values.namespace} does not exist (it has no ServiceAccount)`} in context ${params.context}: the DaemonSet controller could create no downgrade pod (FailedCreate) — after 2.7 is already uninstalled. ` +
          `The vendor script uses daemon-set-controller, which exists only in kube-system. Create it first (${nsExists ? '' : `kubectl create namespace ${rendered.values.namespace}; `}kubectl -n ${rendered.values.namespace} create serviceaccount ${rendered.values.serviceAccount}; it must be allowed privileged pods where PodSecurity or OpenShift SCCs apply), or set serviceAccount to one that exists there.`,
      );
    }
    if (placement.scheduled.length === 0) a.refusals.push(`the downgrade DaemonSet would run on no node of context ${params.context} (nodeSelector ${JSON.stringify(rendered.values.nodeSelector)})`);
    // A problem a parameter resolves still refuses the run, but after the plan is drawn, so a dry run can show both.
    const blockers = a.blockers ?? [];
    if (a.refusals.length > 0) throw new OndatRefusedError(params.context, [...a.refusals, ...blockers.map((b) => b.problem + b.resolution)]);
    pendingBlockers = blockers;
    warnings.push(...a.warnings);
    cluster = a.cluster;
    version = a.version;
  }
  const c: Context = { params, rendered, dependsOnDiscovery: [], ...(facts ? { facts } : {}), ...(cluster ? { cluster } : {}) };

  const tool = toolStep(c);
  const etcdBefore = etcdCheck(c, 'check-etcd-before', 'before anything changes');
  const scale = scaleSteps(c);
  const backupGate = step(
    {
      id: 'confirm-backup',
      title: 'Confirm that a backup of the important stateful applications exists',
      source: SOURCES.prereqBackup,
      kind: 'manual',
      destructive: false,
      idempotent: true,
      timeoutMs: 24 * 60 * MINUTE,
    },
    [{ instance: params.context, action: { kind: 'manual', instructions: `Make sure a backup of every important stateful application on Ondat volumes in context ${params.context} exists and can be restored. Choose Done only then.` } }],
    c,
    false,
  );
  const released = step(
    {
      id: 'check-volumes-released',
      title: 'Check that no pod mounts an Ondat volume any more',
      source: SOURCES.prereqScaleDown,
      kind: 'wait',
      destructive: false,
      idempotent: true,
      timeoutMs: 10 * MINUTE,
    },
    [
      {
        instance: params.context,
        action: { kind: 'wait', description: `no pod mounts a PVC of provisioner ${ONDAT_PROVISIONER}`, until: volumeUsersAction(params.context, ONDAT_PROVISIONER, 'none'), intervalMs: 3 * SECOND },
      },
    ],
    c,
    false,
  );

  const helm = helmDecision(facts, params, cluster);
  const install = installSteps({ params, helm, unknown: UNKNOWN, pending: PENDING, ...(facts ? { facts } : {}), ...(cluster ? { cluster } : {}) });
  const refusals = [...helm.refusals, ...install.refusals];
  if (refusals.length > 0) throw new OndatRefusedError(params.context, refusals);
  warnings.push(...helm.warnings, ...install.warnings);
  if (install.reinstall) {
    warnings.push(`The 2.6.0 StorageOSCluster is the saved 2.7 one with these changes only: ${install.reinstall.changes.join('; ') || 'none'}.`);
  }

  const steps: Step[] = [
    ...(tool ? [tool] : []),
    ...(etcdBefore ? [etcdBefore] : []),
    ...(params.backupConfirmed ? [] : [backupGate]),
    ...(scale.down ? [scale.down] : []),
    released,
    backupStep(c),
    ...uninstallSteps(c),
    ...[etcdCheck(c, 'check-etcd-after-uninstall', 'after the uninstall')].filter((s): s is Step => s !== undefined),
    ...downgradeSteps(c),
    ...[etcdCheck(c, 'check-etcd-after-downgrade', 'after the database downgrade')].filter((s): s is Step => s !== undefined),
    ...install.steps,
    ...verifySteps(c),
    ...[etcdCheck(c, 'check-etcd-final', 'after the 2.6.0 install')].filter((s): s is Step => s !== undefined),
    ...(scale.up ? [scale.up] : []),
  ];
  if (params.backupConfirmed) warnings.push(`Backups confirmed up front with --param backupConfirmed=true (${SOURCES.prereqBackup}); the run will not ask.`);
  if (!facts) {
    if (install.dependsOnDiscovery) c.dependsOnDiscovery.push(...install.steps.map((s) => s.id).filter((id) => !c.dependsOnDiscovery.includes(id)));
    warnings.unshift(
      `Planned without discovery (${discovery?.status === 'absent' ? discovery.reason : 'no facts'}): steps ${c.dependsOnDiscovery.join(', ')} depend on what discovery finds ` +
        `and show "${PENDING}" / "${UNKNOWN}" in its place. Plan against the cluster to run it.`,
    );
  }
  const x = extra(c, version);
  if (install.reinstall) x.storageOSCluster = { reinstalled: install.reinstall.object, changes: install.reinstall.changes };
  if (facts) x.helm = { release: `${helm.release.namespace}/${helm.release.name}`, releases: latestReleases(facts.helmReleases).map((r) => `${r.namespace}/${r.name}: ${r.chart} ${r.chartVersion} r${r.revision} ${r.status}`) };
  const draft = { steps, warnings, extra: x };
  if (pendingBlockers.length > 0) throw new OndatRefusedError(params.context, pendingBlockers.map((b) => b.problem + b.resolution), { draft, blockers: pendingBlockers });
  return draft;
}
