// The operations the kube executor carries out for `kube` actions, as one typed union shared by the planners that
// build them and the adapter that executes them. On the wire (plan.json) an operation is KubeAction.operation plus
// its JSON options; `kubeOperationOptions` writes them and `readKubeOperation` reads them back, checked, so neither
// side handles untyped option bags. What each operation prints and its exit status: docs/ondat.md.
import type { JsonObject, JsonValue } from './json';
import type { KubeAction } from './plan';
import { parseToolRun, toolRunJson, type ToolRun } from './tool-run';

/** A field of an object that must hold a value: `path` is dotted, with numeric array indexes (`spec.containers.0.image`). */
export interface FieldExpectation {
  path: string;
  equals?: string;
  matches?: string;
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

export type KubeOperation =
  | { operation: 'list'; allNamespaces: boolean; labelSelector?: string; expect?: 'none' | 'some'; expectEach: FieldExpectation[]; output: 'json' | 'names' }
  | { operation: 'get'; expectEach: FieldExpectation[] }
  | { operation: 'save'; file: string }
  | { operation: 'delete'; waitGone: boolean; timeoutSeconds: number; uid?: string; propagationPolicy: 'Background' | 'Foreground' }
  | { operation: 'scale'; replicas: number }
  | {
      operation: 'create-or-adopt';
      replaceTimeoutSeconds: number;
      adoptWhenAnnotation?: { key: string; value: string };
      /** metadata.uid of namespace kube-system when planned: checked right before acting, as run-tool does. */
      clusterUid?: string;
    }
  | { operation: 'rollout-status'; logLines: number; node?: string }
  | { operation: 'volume-users'; provisioner: string; expect: 'none' | 'any' }
  | { operation: 'assert-unchanged'; objects: ObjectFingerprint[]; inNamespaces: string[] }
  | { operation: 'helm-releases' }
  | { operation: 'run-tool'; run: ToolRun }
  | { operation: 'read-file'; file: string };

export type KubeOperationName = KubeOperation['operation'];

export const KUBE_OPERATIONS: readonly KubeOperationName[] = ['list', 'get', 'save', 'delete', 'scale', 'create-or-adopt', 'rollout-status', 'volume-users', 'assert-unchanged', 'helm-releases', 'run-tool', 'read-file'];

function expectationJson(e: FieldExpectation): JsonObject {
  return { path: e.path, ...(e.equals !== undefined ? { equals: e.equals } : {}), ...(e.matches !== undefined ? { matches: e.matches } : {}) };
}

function fingerprintJson(f: ObjectFingerprint): JsonObject {
  return {
    apiVersion: f.apiVersion,
    kind: f.kind,
    ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
    name: f.name,
    uid: f.uid,
    ...(f.generation !== undefined ? { generation: f.generation } : {}),
  };
}

/** The JSON options of an operation, as plan.json holds them. */
export function kubeOperationOptions(op: KubeOperation): JsonObject {
  switch (op.operation) {
    case 'list':
      return {
        ...(op.allNamespaces ? { allNamespaces: true } : {}),
        ...(op.labelSelector ? { labelSelector: op.labelSelector } : {}),
        ...(op.expect ? { expect: op.expect } : {}),
        ...(op.expectEach.length > 0 ? { expectEach: op.expectEach.map(expectationJson) } : {}),
        output: op.output,
      };
    case 'get':
      return op.expectEach.length > 0 ? { expectEach: op.expectEach.map(expectationJson) } : {};
    case 'save':
      return { file: op.file };
    case 'delete':
      return { waitGone: op.waitGone, timeoutSeconds: op.timeoutSeconds, propagationPolicy: op.propagationPolicy, ...(op.uid !== undefined ? { uid: op.uid } : {}) };
    case 'scale':
      return { replicas: op.replicas };
    case 'create-or-adopt':
      return {
        replaceTimeoutSeconds: op.replaceTimeoutSeconds,
        ...(op.adoptWhenAnnotation ? { adoptWhenAnnotation: { key: op.adoptWhenAnnotation.key, value: op.adoptWhenAnnotation.value } } : {}),
        ...(op.clusterUid !== undefined ? { clusterUid: op.clusterUid } : {}),
      };
    case 'rollout-status':
      return { logLines: op.logLines, ...(op.node !== undefined ? { node: op.node } : {}) };
    case 'volume-users':
      return { provisioner: op.provisioner, expect: op.expect };
    case 'assert-unchanged':
      return { objects: op.objects.map(fingerprintJson), inNamespaces: [...op.inNamespaces] };
    case 'helm-releases':
      return {};
    case 'run-tool':
      return toolRunJson(op.run);
    case 'read-file':
      return { file: op.file };
  }
}

const isObj = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (o: JsonObject, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const n = (o: JsonObject, k: string): number | undefined => (typeof o[k] === 'number' ? (o[k] as number) : undefined);

function expectations(o: JsonObject): FieldExpectation[] {
  const list = o.expectEach;
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).filter((e) => typeof e.path === 'string').map((e) => ({ path: e.path as string, ...(s(e, 'equals') !== undefined ? { equals: s(e, 'equals') } : {}), ...(s(e, 'matches') !== undefined ? { matches: s(e, 'matches') } : {}) }));
}

/** The typed operation of an action; a string naming what is wrong when the action is not one this contract knows. */
export function readKubeOperation(action: KubeAction): KubeOperation | string {
  const o = action.options ?? {};
  switch (action.operation) {
    case 'list': {
      const expect = s(o, 'expect');
      return {
        operation: 'list',
        allNamespaces: o.allNamespaces === true,
        ...(s(o, 'labelSelector') ? { labelSelector: s(o, 'labelSelector') } : {}),
        ...(expect === 'none' || expect === 'some' ? { expect } : {}),
        expectEach: expectations(o),
        output: s(o, 'output') === 'names' ? 'names' : 'json',
      };
    }
    case 'get':
      return { operation: 'get', expectEach: expectations(o) };
    case 'save': {
      const file = s(o, 'file');
      return file ? { operation: 'save', file } : 'save: the action names no file';
    }
    case 'delete':
      return {
        operation: 'delete',
        waitGone: o.waitGone === true,
        timeoutSeconds: n(o, 'timeoutSeconds') ?? 120,
        propagationPolicy: s(o, 'propagationPolicy') === 'Foreground' ? 'Foreground' : 'Background',
        ...(s(o, 'uid') !== undefined ? { uid: s(o, 'uid') } : {}),
      };
    case 'scale': {
      const replicas = n(o, 'replicas');
      return replicas !== undefined && Number.isInteger(replicas) && replicas >= 0 ? { operation: 'scale', replicas } : 'scale: replicas must be a whole number >= 0';
    }
    case 'create-or-adopt': {
      const a = o.adoptWhenAnnotation;
      const key = isObj(a) ? s(a, 'key') : undefined;
      const value = isObj(a) ? s(a, 'value') : undefined;
      return {
        operation: 'create-or-adopt',
        replaceTimeoutSeconds: n(o, 'replaceTimeoutSeconds') ?? 120,
        ...(key && value !== undefined ? { adoptWhenAnnotation: { key, value } } : {}),
        ...(s(o, 'clusterUid') !== undefined ? { clusterUid: s(o, 'clusterUid') } : {}),
      };
    }
    case 'rollout-status':
      return { operation: 'rollout-status', logLines: n(o, 'logLines') ?? 20, ...(s(o, 'node') !== undefined ? { node: s(o, 'node') } : {}) };
    case 'volume-users': {
      const provisioner = s(o, 'provisioner');
      return provisioner ? { operation: 'volume-users', provisioner, expect: s(o, 'expect') === 'none' ? 'none' : 'any' } : 'volume-users: the action names no provisioner';
    }
    case 'assert-unchanged': {
      const objects = (Array.isArray(o.objects) ? o.objects : []).filter(isObj).map((f) => ({
        apiVersion: s(f, 'apiVersion') ?? '',
        kind: s(f, 'kind') ?? '',
        ...(s(f, 'namespace') !== undefined ? { namespace: s(f, 'namespace') } : {}),
        name: s(f, 'name') ?? '',
        uid: s(f, 'uid') ?? '',
        ...(n(f, 'generation') !== undefined ? { generation: n(f, 'generation') } : {}),
      }));
      const inNamespaces = (Array.isArray(o.inNamespaces) ? o.inNamespaces : []).filter((x): x is string => typeof x === 'string');
      return { operation: 'assert-unchanged', objects, inNamespaces };
    }
    case 'helm-releases':
      return { operation: 'helm-releases' };
    case 'run-tool': {
      const run = parseToolRun(o);
      return typeof run === 'string' ? `run-tool: ${run}` : { operation: 'run-tool', run };
    }
    case 'read-file': {
      const file = s(o, 'file');
      return file ? { operation: 'read-file', file } : 'read-file: the action names no file';
    }
    default:
      return `unknown kube operation "${action.operation}"; this host supports ${KUBE_OPERATIONS.join(', ')}`;
  }
}
