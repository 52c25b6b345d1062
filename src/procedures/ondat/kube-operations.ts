// The Kubernetes operations this procedure's KubeActions ask the kube executor for: their names, options and the
// output each must print. This file is the contract the executor is written against (see docs/ondat.md); every
// option is plain JSON so that plans stay serialisable. Exit status: 0 = the operation did what it says (and every
// expectation held); non-zero = it did not, with the reason on the output.
import type { JsonObject } from '../../core/json';
import type { KubeAction } from '../../core/plan';
import { toolRunJson, type ToolRun } from '../../core/tool-run';

export interface ResourceRef {
  apiVersion: string;
  kind: string;
}

/** A field of an object that must hold a value: `path` is dotted, with numeric array indexes (`spec.containers.0.image`). */
export interface FieldExpectation {
  path: string;
  /** Exact value. */
  equals?: string;
  /** Regular expression the value must match. */
  matches?: string;
}

function expectationJson(e: FieldExpectation): JsonObject {
  return { path: e.path, ...(e.equals !== undefined ? { equals: e.equals } : {}), ...(e.matches !== undefined ? { matches: e.matches } : {}) };
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
  const options: JsonObject = {};
  if (o.allNamespaces) options.allNamespaces = true;
  if (o.labelSelector) options.labelSelector = o.labelSelector;
  if (o.expect) options.expect = o.expect;
  if (o.expectEach) options.expectEach = o.expectEach.map(expectationJson);
  options.output = o.output ?? 'json';
  return {
    kind: 'kube',
    context,
    operation: 'list',
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    resource: { apiVersion: type.apiVersion, kind: type.kind },
    options,
  };
}

/** `get`: prints the object as one JSON line; exits 1 with `not found` when it does not exist. */
export function getAction(context: string, type: ResourceRef, namespace: string | undefined, name: string, expectEach: FieldExpectation[] = []): KubeAction {
  return {
    kind: 'kube',
    context,
    operation: 'get',
    ...(namespace !== undefined ? { namespace } : {}),
    resource: { apiVersion: type.apiVersion, kind: type.kind, name },
    options: expectEach.length > 0 ? { expectEach: expectEach.map(expectationJson) } : {},
  };
}

/**
 * `save`: gets the object and writes it as YAML (managedFields and status dropped) to `file`, a path relative to the
 * run's folder. Secrets are written with mode 0600 and their data never reaches the output. Exits 1 when missing.
 */
export function saveAction(context: string, type: ResourceRef, namespace: string | undefined, name: string, file: string): KubeAction {
  return {
    kind: 'kube',
    context,
    operation: 'save',
    ...(namespace !== undefined ? { namespace } : {}),
    resource: { apiVersion: type.apiVersion, kind: type.kind, name },
    options: { file },
  };
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
  return {
    kind: 'kube',
    context,
    operation: 'delete',
    ...(namespace !== undefined ? { namespace } : {}),
    resource: { apiVersion: type.apiVersion, kind: type.kind, name },
    options: {
      waitGone: o.waitGone,
      timeoutSeconds: o.timeoutSeconds,
      propagationPolicy: o.propagationPolicy ?? 'Background',
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
    },
  };
}

/** `scale`: sets spec.replicas through the scale subresource; prints `scaled <kind>/<name> from <n> to <m>`. */
export function scaleAction(context: string, type: ResourceRef, namespace: string, name: string, replicas: number): KubeAction {
  return {
    kind: 'kube',
    context,
    operation: 'scale',
    namespace,
    resource: { apiVersion: type.apiVersion, kind: type.kind, name },
    options: { replicas },
  };
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
  o: { adoptWhenAnnotation?: { key: string; value: string }; replaceTimeoutSeconds: number },
): KubeAction {
  return {
    kind: 'kube',
    context,
    operation: 'create-or-adopt',
    ...(namespace !== undefined ? { namespace } : {}),
    resource: { apiVersion: type.apiVersion, kind: type.kind, name },
    manifest,
    options: {
      replaceTimeoutSeconds: o.replaceTimeoutSeconds,
      ...(o.adoptWhenAnnotation ? { adoptWhenAnnotation: { key: o.adoptWhenAnnotation.key, value: o.adoptWhenAnnotation.value } } : {}),
    },
  };
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
  return {
    kind: 'kube',
    context,
    operation: 'rollout-status',
    namespace,
    resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', name },
    options: { logLines: o.logLines, ...(o.node !== undefined ? { node: o.node } : {}) },
  };
}

/**
 * `volume-users`: pods in any namespace mounting a PVC whose StorageClass has `provisioner`. Prints one line per pod:
 * `<namespace>/<pod> claim=<claim> storageClass=<class>`. With expect `none`, exits 1 while any exist.
 */
export function volumeUsersAction(context: string, provisioner: string, expect: 'none' | 'any'): KubeAction {
  return { kind: 'kube', context, operation: 'volume-users', options: { provisioner, expect } };
}

/** One object as it was seen when the plan was made. */
export interface ObjectFingerprint {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
  /** metadata.generation: changes with the spec, not with status updates. */
  generation?: number;
}

export function fingerprintJson(f: ObjectFingerprint): JsonObject {
  return {
    apiVersion: f.apiVersion,
    kind: f.kind,
    ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
    name: f.name,
    uid: f.uid,
    ...(f.generation !== undefined ? { generation: f.generation } : {}),
  };
}

/**
 * `assert-unchanged`: every object must still exist with the same uid and generation and without a
 * deletionTimestamp. Prints `unchanged <kind>/<ns>/<name>` or `CHANGED <kind>/<ns>/<name>: <what>` per object and
 * exits 1 when anything changed. With `inNamespaces`, also reports objects of the listed kinds created there since
 * (`NEW <kind>/<ns>/<name>`).
 */
export function assertUnchangedAction(context: string, objects: readonly ObjectFingerprint[], inNamespaces: readonly string[]): KubeAction {
  return {
    kind: 'kube',
    context,
    operation: 'assert-unchanged',
    options: { objects: objects.map(fingerprintJson), inNamespaces: [...inNamespaces] },
  };
}

/**
 * `helm-releases`: every revision of every Helm release in `namespace` (all namespaces when absent), read from Helm's
 * release Secrets; one JSON line per revision (src/core/helm-release.ts), `UNREADABLE <why>` for a Secret that is not.
 */
export function helmReleasesAction(context: string, namespace?: string): KubeAction {
  return { kind: 'kube', context, operation: 'helm-releases', ...(namespace !== undefined ? { namespace } : {}), options: {} };
}

/**
 * `run-tool`: a local tool on this context, with its own kubeconfig and settings files (src/core/tool-run.ts);
 * exits as the tool does, or 1 when the context now leads to another cluster or the release guard finds it pending.
 */
export function runToolAction(context: string, run: ToolRun): KubeAction {
  return { kind: 'kube', context, operation: 'run-tool', options: toolRunJson(run) };
}

/** `read-file`: prints the lines of a local file (absolute path), for discovery; exits 1 when it cannot be read. */
export function readFileAction(context: string, file: string): KubeAction {
  return { kind: 'kube', context, operation: 'read-file', options: { file } };
}
