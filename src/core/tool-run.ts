// The contract of a local tool (helm, kubectl-storageos) run by the kube executor against the run's context, shared
// by the planners that ask for it and the adapter that carries it out. A tool acting on a cluster must reach exactly
// the cluster the API calls reach, and must never see a secret on its command line or in its environment: so it gets
// a kubeconfig written by Backout (0600, in the run folder, holding only the run's context, which is its
// current-context) and its settings as files (0600, same folder) that are removed when it has finished.
import type { JsonObject, JsonValue } from './json';

/** The tools a run may start this way. */
export type ToolName = 'helm' | 'kubectl-storageos';

/**
 * A file the tool reads. `data` is serialised by the executor after secrets are substituted, so a value can never
 * break out of its place in the file (a password with `:` or `#` stays one YAML string); `text` is written as is.
 */
export type ToolFile = { name: string; format: 'yaml'; data: JsonValue } | { name: string; format: 'text'; text: string };

/** A Helm release whose state is checked right before the tool starts (an interrupted helm leaves it pending-*). */
export interface ReleaseGuard {
  name: string;
  namespace: string;
}

export interface ToolRun {
  tool: ToolName;
  /** The arguments; `${file:NAME}` stands for the path of file NAME, `${dir}` for their folder and `${kubeconfig}` for the run's kubeconfig. */
  args: string[];
  files: ToolFile[];
  /** metadata.uid of namespace kube-system seen by discovery: the identity of the cluster the plan was made for. */
  clusterUid?: string;
  /** Refuse to start while this release's latest revision is pending-install, pending-upgrade or pending-rollback. */
  releaseNotPending?: ReleaseGuard;
}

/** Where a file is referenced in `args`. */
export function fileRef(name: string): string {
  return `\${file:${name}}`;
}

export const KUBECONFIG_REF = '${kubeconfig}';
/** The folder the tool's files are written to (kubectl-storageos takes the folder of its config file). */
export const DIR_REF = '${dir}';

export const FILE_REF = /\$\{file:([A-Za-z0-9_.-]+)\}/g;

export function toolRunJson(run: ToolRun): JsonObject {
  return {
    tool: run.tool,
    args: [...run.args],
    files: run.files.map((f): JsonObject => (f.format === 'yaml' ? { name: f.name, format: f.format, data: f.data } : { name: f.name, format: f.format, text: f.text })),
    ...(run.clusterUid !== undefined ? { clusterUid: run.clusterUid } : {}),
    ...(run.releaseNotPending ? { releaseNotPending: { name: run.releaseNotPending.name, namespace: run.releaseNotPending.namespace } } : {}),
  };
}

function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a ToolRun back from an action's JSON options; undefined with the reason when it is not one. */
export function parseToolRun(o: JsonObject): ToolRun | string {
  const tool = o.tool;
  if (tool !== 'helm' && tool !== 'kubectl-storageos') return `"tool" must be helm or kubectl-storageos, not ${JSON.stringify(tool)}`;
  const args = o.args;
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string')) return '"args" must be a list of strings';
  const files: ToolFile[] = [];
  for (const f of Array.isArray(o.files) ? o.files : []) {
    if (!isJsonObject(f) || typeof f.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(f.name) || f.name === '.' || f.name === '..') return `a file has no valid name: ${JSON.stringify(f)}`;
    if (f.format === 'yaml' && f.data !== undefined) files.push({ name: f.name, format: 'yaml', data: f.data });
    else if (f.format === 'text' && typeof f.text === 'string') files.push({ name: f.name, format: 'text', text: f.text });
    else return `file ${f.name} has neither yaml data nor text`;
  }
  const guard = o.releaseNotPending;
  return {
    tool,
    args,
    files,
    ...(typeof o.clusterUid === 'string' ? { clusterUid: o.clusterUid } : {}),
    ...(isJsonObject(guard) && typeof guard.name === 'string' && typeof guard.namespace === 'string' ? { releaseNotPending: { name: guard.name, namespace: guard.namespace } } : {}),
  };
}

/** The tool run as a person reviewing a dry run must see it: the command line and every file it is given. */
export function renderToolRun(run: ToolRun): string {
  const folder = '<run folder>/tools/<step>';
  const args = run.args.map((a) => (a === KUBECONFIG_REF ? `${folder}/kubeconfig` : a === DIR_REF ? folder : a.replace(FILE_REF, (_m, n: string) => `${folder}/${n}`)));
  const lines = [`$ KUBECONFIG=${folder}/kubeconfig ${[run.tool, ...args].join(' ')}`];
  lines.push('# kubeconfig (0600): only this context, as current-context');
  if (run.clusterUid) lines.push(`# first checked: namespace kube-system still has uid ${run.clusterUid}`);
  if (run.releaseNotPending) lines.push(`# first checked: Helm release ${run.releaseNotPending.namespace}/${run.releaseNotPending.name} is not pending-*`);
  for (const f of run.files) {
    lines.push(`# ${f.name} (0600, removed afterwards):`);
    lines.push(f.format === 'yaml' ? JSON.stringify(f.data, null, 2) : f.text.trimEnd());
  }
  return lines.join('\n');
}
