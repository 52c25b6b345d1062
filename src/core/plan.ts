// The plan model: what a run will do, fully rendered and serialisable. A plan is written to plan.json when a run
// starts; resume, show and report read it back from there, so nothing here may hold functions or class instances.
import type { JsonObject } from './json';
import { quoteArg, renderArgv } from './shell-quote';
import { parseToolRun, renderToolRun } from './tool-run';

export type StepKind = 'ssh' | 'kube' | 'local' | 'wait' | 'manual';

/** A local command, spawned from argv without a shell (so no value in it can inject anything). */
export interface LocalAction {
  kind: 'local';
  argv: string[];
  cwd?: string;
  /** Added to the host process environment. */
  env?: Record<string, string>;
}

/**
 * A local file sent to the endpoint over SFTP, on the SSH adapter's connection (its host keys, credentials and pool),
 * written under a temporary name and renamed when complete, so sending it again is safe.
 */
export interface SftpUpload {
  /** The file on this machine. */
  localPath: string;
  /** Where it goes, as the endpoint's SFTP server names it (Windows OpenSSH: C:\a b\c is /C:/a b/c). */
  remotePath: string;
}

/** A command sent over SSH to one endpoint, exactly as in `command`; optionally followed by an upload. */
export interface SshAction {
  kind: 'ssh';
  /** The endpoint the instance stands for, as the SSH adapter knows it (e.g. Agent name). */
  host: string;
  /** With `upload`, it prepares the destination (e.g. creates its folder) and may be empty; the upload follows only if it exits 0. */
  command: string;
  /** Run with a PTY so that closing the channel stops the remote process (needed for cancellation). */
  pty?: boolean;
  upload?: SftpUpload;
}

/** A Kubernetes API operation in an explicitly named context (never the user's current-context). */
export interface KubeAction {
  kind: 'kube';
  context: string;
  /** What the kube adapter does, e.g. "apply", "delete", "get", "rollout-status". */
  operation: string;
  namespace?: string;
  resource?: { apiVersion: string; kind: string; name?: string };
  /** The manifest as sent (YAML), for operations that send one. */
  manifest?: string;
  /** Adapter-specific options, e.g. label selectors or field managers. */
  options?: JsonObject;
}

/** An action that can be executed and checked by exit status: also used for verifications and wait checks. */
export type CheckAction = LocalAction | SshAction | KubeAction;

/** Waits: a fixed delay, or polls `until` until it succeeds, failing early when its output shows a known failure. */
export interface WaitAction {
  kind: 'wait';
  description: string;
  until?: CheckAction;
  intervalMs?: number;
  /** A fixed pause, when there is nothing to poll. */
  delayMs?: number;
  /** Regular expression; when the check's output matches it the wait fails at once (e.g. CrashLoopBackOff). */
  failWhenOutputMatches?: string;
  /** Regular expression the check's output must match to count as done (besides exit status 0). */
  succeedWhenOutputMatches?: string;
}

/** Something only a person can do (e.g. restore a VM snapshot in the hypervisor console); the user confirms it. */
export interface ManualAction {
  kind: 'manual';
  instructions: string;
}

export type Action = CheckAction | WaitAction | ManualAction;

/** How to tell that a step's effect is in place; run after the step and when resuming a step caught mid-way. */
export interface Verification {
  description: string;
  action: CheckAction;
  /** Regular expression the output must match (besides exit status 0). */
  expectOutput?: string;
}

/** One instance of a step: per Agent, per node, or the single instance of a target-wide step. */
export interface StepInstance {
  instance: string;
  action: Action;
  verify?: Verification;
}

export interface Step {
  /** Stable id, lowercase words and dashes; names the log folder. */
  id: string;
  title: string;
  /** The passage of the vendor procedure this step implements (quote or section reference). */
  source: string;
  kind: StepKind;
  destructive: boolean;
  /** Safe to run again after it ran in part or in full. */
  idempotent: boolean;
  timeoutMs: number;
  /** Upper bound of instances running at once; the run's default applies when absent. */
  concurrency?: number;
  instances: StepInstance[];
}

export interface TargetRef {
  /** "dms", "kube-context", or another kind a procedure defines. */
  kind: string;
  name: string;
  production: boolean;
  /** Shown in prompts and reports, e.g. "DMS prod-eu (3 Agents)". */
  description?: string;
  /**
   * What the target's actions reach, resolved when the plan is made ("ssh 10.0.0.12:22", "kube https://… ca=…"),
   * sorted. The target lock is keyed by it, so two names for the same machines or cluster exclude each other.
   */
  endpoints?: string[];
}

export type ParamValue = string | number | boolean;
export type ParamValues = Record<string, ParamValue>;

/**
 * A prerequisite that refuses the run as planned, shown at the top of a dry run with what resolves it (a parameter
 * value to plan with, or an action to take on the target first).
 */
export interface PlanBlocker {
  problem: string;
  /** What to do, in words. */
  resolution: string;
  /** The parameter whose value resolves it, and the value. */
  parameter?: { name: string; value: string };
}

export interface Plan {
  formatVersion: 1;
  procedure: { id: string; title: string; version: string };
  target: TargetRef;
  /** Parameter values as given, with secret parameters replaced by the redaction marker. */
  params: ParamValues;
  steps: Step[];
  warnings: string[];
  /** Procedure-specific top-level fields of `plan --json` (e.g. the detected versions). */
  extra: JsonObject;
  /** Names of secrets the plan's actions reference as ${secret:NAME}; their values are never stored. */
  secrets: string[];
  /** Prerequisites that refuse this plan (dry runs only: a plan with blockers is never started). */
  blockers?: PlanBlocker[];
}

/** The part of a plan a procedure's pure planner returns; the engine adds identity, target and params. */
export interface PlanDraft {
  steps: Step[];
  warnings?: string[];
  extra?: JsonObject;
}

/** Key of one step instance ("unit") in the journal and in state maps. */
export function unitKey(step: string, instance: string): string {
  return `${step}/${instance}`;
}

export const SECRET_PLACEHOLDER = /\$\{secret:([A-Za-z0-9_.-]+)\}/g;

/** The exact text an action sends, for dry runs, `plan --json` and reports. */
export function renderAction(action: Action): string {
  switch (action.kind) {
    case 'local': {
      const env = Object.entries(action.env ?? {}).map(([k, v]) => `${k}=${quoteArg(v)} `).join('');
      return `${action.cwd ? `cd ${quoteArg(action.cwd)} && ` : ''}${env}${renderArgv(action.argv)}`;
    }
    case 'ssh': {
      if (action.upload === undefined) return action.command;
      const put = renderUpload(action.host, action.upload);
      return action.command === '' ? put : `${action.command}\n${put}`;
    }
    case 'kube': {
      const what = action.resource
        ? `${action.resource.kind}${action.resource.name ? `/${action.resource.name}` : ''} (${action.resource.apiVersion})`
        : '';
      const head = [`kube ${action.operation}`, what, action.namespace ? `-n ${action.namespace}` : '', `--context ${action.context}`]
        .filter((s) => s.length > 0)
        .join(' ');
      if (action.operation === 'run-tool' && action.options) {
        const run = parseToolRun(action.options);
        if (typeof run !== 'string') return `${head}\n${renderToolRun(run)}`;
      }
      return action.manifest ? `${head}\n${action.manifest}` : head;
    }
    case 'wait': {
      if (!action.until) return `wait ${action.delayMs ?? 0} ms: ${action.description}`;
      return `wait until (every ${action.intervalMs ?? 2000} ms): ${renderAction(action.until)}`;
    }
    case 'manual':
      return action.instructions;
  }
}

/** An upload as shown in dry runs and reports: `sftp put <local> → <host>:<remote>`, paths quoted where needed. */
export function renderUpload(host: string, upload: SftpUpload): string {
  return `sftp put ${quoteArg(upload.localPath)} → ${host}:${quoteArg(upload.remotePath)}`;
}

const ENCODED_COMMAND = /-EncodedCommand\s+([A-Za-z0-9+/]+={0,2})/;

/**
 * The exact text an action sends, followed — for a PowerShell `-EncodedCommand` line, which is base64 and unreadable —
 * by the script it carries, so that a person confirming a step (or reviewing a dry run) sees what it will do.
 */
export function readableAction(action: Action): string {
  const sent = renderAction(action);
  const m = ENCODED_COMMAND.exec(sent);
  if (!m) return sent;
  const script = Buffer.from(m[1] as string, 'base64').toString('utf16le');
  return `${sent}\n# The encoded PowerShell script, decoded for review:\n${script}`;
}

/** Every string an action carries, for finding secret placeholders. */
function actionStrings(action: Action): string[] {
  switch (action.kind) {
    case 'local':
      return [...action.argv, action.cwd ?? '', ...Object.values(action.env ?? {})];
    case 'ssh':
      return [action.command, action.host, ...(action.upload ? [action.upload.localPath, action.upload.remotePath] : [])];
    case 'kube':
      return [action.manifest ?? '', JSON.stringify(action.options ?? {}), action.context];
    case 'wait':
      return action.until ? actionStrings(action.until) : [];
    case 'manual':
      return [action.instructions];
  }
}

export function referencedSecrets(steps: readonly Step[]): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    for (const inst of step.instances) {
      const strings = [...actionStrings(inst.action), ...(inst.verify ? actionStrings(inst.verify.action) : [])];
      for (const s of strings) for (const m of s.matchAll(SECRET_PLACEHOLDER)) names.add(m[1] as string);
    }
  }
  return [...names].sort();
}

const STEP_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** What makes an upload unsafe to send: an empty or control-character path, a remote path that is not absolute or climbs. */
function uploadProblems(where: string, upload: SftpUpload): string[] {
  const problems: string[] = [];
  if (upload.localPath === '' || CONTROL.test(upload.localPath)) problems.push(`${where} uploads from a local path that is empty or has control characters`);
  const remote = upload.remotePath;
  if (!remote.startsWith('/') || CONTROL.test(remote) || remote.split('/').some((part) => part === '..')) {
    problems.push(`${where} uploads to "${remote}", which is not an absolute SFTP path without control characters and .. components`);
  }
  if (remote.endsWith('/')) problems.push(`${where} uploads to "${remote}", a folder: name the file`);
  return problems;
}

/** Uploads belong to step actions: a verification or a wait check only reads, so it may not send files. */
function checkUploads(step: Step, inst: StepInstance): string[] {
  const where = `step ${step.id} instance ${inst.instance}`;
  const problems: string[] = [];
  const { action } = inst;
  if (action.kind === 'ssh' && action.upload !== undefined) problems.push(...uploadProblems(where, action.upload));
  if (action.kind === 'wait' && action.until?.kind === 'ssh' && action.until.upload !== undefined) problems.push(`${where}: a wait check cannot upload a file`);
  if (inst.verify?.action.kind === 'ssh' && inst.verify.action.upload !== undefined) problems.push(`${where}: a verification cannot upload a file`);
  return problems;
}

/** Problems that make a plan unsafe to run; empty when the plan is well formed. */
export function planProblems(steps: readonly Step[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  if (steps.length === 0) problems.push('it has no steps');
  for (const step of steps) {
    if (!STEP_ID.test(step.id)) problems.push(`step id "${step.id}" must be lowercase letters, digits and dashes`);
    if (ids.has(step.id)) problems.push(`step id "${step.id}" is used twice`);
    ids.add(step.id);
    if (!(Number.isFinite(step.timeoutMs) && step.timeoutMs > 0)) problems.push(`step ${step.id} needs a positive timeoutMs`);
    if (step.concurrency !== undefined && !(Number.isInteger(step.concurrency) && step.concurrency >= 1)) {
      problems.push(`step ${step.id}: concurrency must be a whole number of at least 1`);
    }
    if (step.instances.length === 0) problems.push(`step ${step.id} has no instances`);
    const names = new Set<string>();
    for (const inst of step.instances) {
      if (inst.instance.length === 0) problems.push(`step ${step.id} has an instance with an empty name`);
      if (names.has(inst.instance)) problems.push(`step ${step.id} has instance "${inst.instance}" twice`);
      names.add(inst.instance);
      if (inst.action.kind !== step.kind) {
        problems.push(`step ${step.id} is of kind ${step.kind} but instance ${inst.instance} has a ${inst.action.kind} action`);
      }
      problems.push(...checkUploads(step, inst));
    }
  }
  return problems;
}

/** One row of `plan --json` and of the dry run: a step instance with its rendered command. */
export interface PlanRow {
  id: string;
  title: string;
  kind: StepKind;
  destructive: boolean;
  idempotent: boolean;
  instance: string;
  command: string;
  timeoutMs: number;
  source: string;
  verify?: string;
}

export function planRows(plan: Plan): PlanRow[] {
  return plan.steps.flatMap((step) =>
    step.instances.map((inst) => {
      const row: PlanRow = {
        id: step.id,
        title: step.title,
        kind: step.kind,
        destructive: step.destructive,
        idempotent: step.idempotent,
        instance: inst.instance,
        command: renderAction(inst.action),
        timeoutMs: step.timeoutMs,
        source: step.source,
      };
      if (inst.verify) row.verify = renderAction(inst.verify.action);
      return row;
    }),
  );
}

/**
 * The stable `plan --json` document. Fields named here are a contract; procedures add their own top-level fields
 * through `extra`, which can never replace these.
 */
export function planDocument(plan: Plan): JsonObject {
  const rows: JsonObject[] = planRows(plan).map((r) => ({ ...r }) as unknown as JsonObject);
  return {
    ...plan.extra,
    procedure: plan.procedure.id,
    procedureVersion: plan.procedure.version,
    target: { kind: plan.target.kind, name: plan.target.name, production: plan.target.production },
    params: plan.params,
    steps: rows,
    warnings: plan.warnings,
  };
}
