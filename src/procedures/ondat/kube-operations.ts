// The KubeActions this procedure asks the kube executor for, built on the typed operations of
// src/core/kube-operation.ts (the contract planner and executor share), with the output each must print (see
// docs/ondat.md). Exit status: 0 = the operation did what it says (and every expectation held); non-zero = it did
// not, with the reason on the output.
import { kubeOperationOptions, type FieldExpectation, type KubeOperation, type ObjectFingerprint } from '../../core/kube-operation';
import type { KubeAction } from '../../core/plan';
import type { ToolRun } from '../../core/tool-run';

export type { FieldExpectation, ObjectFingerprint } from '../../core/kube-operation';

function kube(context: string, op: KubeOperation, where: { namespace?: string; resource?: KubeAction['resource']; manifest?: string } = {}): KubeAction {
  return {
    kind: 'kube',
    context,
    operation: op.operation,
    ...(where.namespace !== undefined ? { namespace: where.namespace } : {}),
    ...(where.resource ? { resource: where.resource } : {}),
    ...(where.manifest !== undefined ? { manifest: where.manifest } : {}),
    options: kubeOperationOptions(op),
  };
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
}

export interface ListOptions {
  /** A namespace; absent with `allNamespaces` for every namespace, absent alone for cluster-scoped kinds. */
  namespace?: string;
  allNamespaces?: boolean;
  labelSelector?: string;
  /** `none`: succeed only when nothing matches; `some`: only when at least one object matches. Default: any. */
  expect?: 'none' | 'some';
  /** Every listed object must satisfy these; each one that does not is printed with the actual value. */
  expectEach?: FieldExpectation[];
  /** `json` (default): one compact JSON object per line; `names`: one `namespace/name` per line. */
  output?: 'json' | 'names';
}

/**
 * `list`: pages through the collection (limit/continue). Prints one object per line as `output` says. A kind the API
 * does not serve (no CRD) exits 3 with `not served: <apiVersion> <kind>`.
 */
export function listAction(context: string, type: ResourceRef, o: ListOptions = {}): KubeAction {
  return kube(
    context,
    {
      operation: 'list',
      allNamespaces: o.allNamespaces === true,
      ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
      ...(o.expect ? { expect: o.expect } : {}),
      expectEach: o.expectEach ?? [],
      output: o.output ?? 'json',
    },
    { ...(o.namespace !== undefined ? { namespace: o.namespace } : {}), resource: { apiVersion: type.apiVersion, kind: type.kind } },
  );
}

/** `get`: prints the object as one JSON line; exits 1 with `not found` when it does not exist. */
export function getAction(context: string, type: ResourceRef, namespace: string | undefined, name: string, expectEach: FieldExpectation[] = []): KubeAction {
  return kube(context, { operation: 'get', expectEach }, { ...(namespace !== undefined ? { namespace } : {}), resource: { apiVersion: type.apiVersion, kind: type.kind, name } });
}

/**
 * `save`: gets the object and writes it as YAML (managedFields and status dropped) to `file`, a path relative to the
 * run's folder. Secrets are written with mode 0600 and their data never reaches the output. Exits 1 when missing.
 */
export function saveAction(context: string, type: ResourceRef, namespace: string | undefined, name: string, file: string): KubeAction {
  return kube(context, { operation: 'save', file }, { ...(namespace !== undefined ? { namespace } : {}), resource: { apiVersion: type.apiVersion, kind: type.kind, name } });
}

/**
 * `delete`: a 404 counts as already gone (exit 0, prints `already gone`). With `waitGone`, waits until the object
 * (this uid, when given) has disappeared, up to `timeoutSeconds`.
 */
export function deleteAction(
  context: string,
  type: ResourceRef,
  namespace: string | undefined,
  name: string,
  o: { waitGone: boolean; timeoutSeconds: number; uid?: string; propagationPolicy?: 'Background' | 'Foreground' },
): KubeAction {
  return kube(
    context,
    { operation: 'delete', waitGone: o.waitGone, timeoutSeconds: o.timeoutSeconds, propagationPolicy: o.propagationPolicy ?? 'Background', ...(o.uid !== undefined ? { uid: o.uid } : {}) },
    { ...(namespace !== undefined ? { namespace } : {}), resource: { apiVersion: type.apiVersion, kind: type.kind, name } },
  );
}

/** `scale`: sets spec.replicas through the scale subresource; prints `scaled <kind>/<name> from <n> to <m>`. */
export function scaleAction(context: string, type: ResourceRef, namespace: string, name: string, replicas: number): KubeAction {
  return kube(context, { operation: 'scale', replicas }, { namespace, resource: { apiVersion: type.apiVersion, kind: type.kind, name } });
}

/**
 * `create-or-adopt`: creates the manifest's object. When one of the same name exists (e.g. left by an interrupted
 * run) it is adopted if its annotation `adoptWhenAnnotation.key` equals `.value`, otherwise deleted, waited for
 * (up to `replaceTimeoutSeconds`) and created again. Never fails with AlreadyExists. Prints `created`, `adopted` or
 * `replaced`.
 */
export function createOrAdoptAction(
  context: string,
  manifest: string,
  type: ResourceRef,
  namespace: string | undefined,
  name: string,
  o: { adoptWhenAnnotation?: { key: string; value: string }; replaceTimeoutSeconds: number; clusterUid?: string },
): KubeAction {
  return kube(
    context,
    {
      operation: 'create-or-adopt',
      replaceTimeoutSeconds: o.replaceTimeoutSeconds,
      ...(o.adoptWhenAnnotation ? { adoptWhenAnnotation: o.adoptWhenAnnotation } : {}),
      ...(o.clusterUid !== undefined ? { clusterUid: o.clusterUid } : {}),
    },
    { ...(namespace !== undefined ? { namespace } : {}), resource: { apiVersion: type.apiVersion, kind: type.kind, name }, manifest },
  );
}

/**
 * `rollout-status` of a DaemonSet, one check (the engine's wait step polls it). Prints one line per pod:
 * `node=<node> pod=<pod> state=<Pending|Init:Running|Init:Error|Init:CrashLoopBackOff|Running|Ready>` and a summary
 * `ready=<numberReady>/<desiredNumberScheduled>`. When an init container is in Error or CrashLoopBackOff it prints
 * `FAILED node=<node> pod=<pod> container=<name> reason=<reason> exitCode=<n>` followed by up to `logLines` lines of
 * that container's log as `log <pod>: <text>` (or `log <pod>: unavailable (<why>)`), and exits 2. The same for a main
 * container that cannot start (ImagePullBackOff, ...), and for the Warning events that mean the rollout cannot
 * finish: `FAILED node=<node> daemonset=<name> reason=FailedCreate count=<n> event: <text>` (pods never created:
 * ServiceAccount, PodSecurity, quota) and `FAILED node=<node> pod=<pod> reason=<FailedMount|FailedScheduling|Failed>
 * count=<n> event: <text>` for its current pods.
 * Exit 0: with `node`, the pod on that node is Ready; without, observedGeneration is current and
 * numberReady == desiredNumberScheduled > 0. Otherwise exit 1 (not yet).
 */
export function rolloutStatusAction(context: string, namespace: string, name: string, o: { node?: string; logLines: number }): KubeAction {
  return kube(context, { operation: 'rollout-status', logLines: o.logLines, ...(o.node !== undefined ? { node: o.node } : {}) }, { namespace, resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', name } });
}

/**
 * `volume-users`: pods in any namespace mounting a PVC whose StorageClass has `provisioner`. Prints one line per pod:
 * `<namespace>/<pod> claim=<claim> storageClass=<class>`. With expect `none`, exits 1 while any exist.
 */
export function volumeUsersAction(context: string, provisioner: string, expect: 'none' | 'any'): KubeAction {
  return kube(context, { operation: 'volume-users', provisioner, expect });
}

/**
 * `assert-unchanged`: every object must still exist with the same uid and generation and without a
 * deletionTimestamp. Prints `unchanged <kind>/<ns>/<name>` or `CHANGED <kind>/<ns>/<name>: <what>` per object and
 * exits 1 when anything changed. With `inNamespaces`, also reports objects of the listed kinds created there since
 * (`NEW <kind>/<ns>/<name>`).
 */
export function assertUnchangedAction(context: string, objects: readonly ObjectFingerprint[], inNamespaces: readonly string[]): KubeAction {
  return kube(context, { operation: 'assert-unchanged', objects: [...objects], inNamespaces: [...inNamespaces] });
}

/**
 * `helm-releases`: every revision of every Helm release in `namespace` (all namespaces when absent), read from Helm's
 * release Secrets; one JSON line per revision (src/core/helm-release.ts), `UNREADABLE <why>` for a Secret that is not.
 */
export function helmReleasesAction(context: string, namespace?: string): KubeAction {
  return kube(context, { operation: 'helm-releases' }, namespace !== undefined ? { namespace } : {});
}

/**
 * `run-tool`: a local tool on this context, with its own kubeconfig and settings files (src/core/tool-run.ts);
 * exits as the tool does, or 1 when the context now leads to another cluster or the release guard finds it pending.
 */
export function runToolAction(context: string, run: ToolRun): KubeAction {
  return kube(context, { operation: 'run-tool', run });
}

/** `read-file`: prints the lines of a local file (absolute path), for discovery; exits 1 when it cannot be read. */
export function readFileAction(context: string, file: string): KubeAction {
  return kube(context, { operation: 'read-file', file });
}
