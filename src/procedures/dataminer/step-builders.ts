// The building blocks both routes' steps are made of: the Agents a plan acts on, the SSH action on one of them, the
// regular expressions that verify what an Agent answered, and the manual, wait and local step shapes. Kept apart so
// route A (snapshot-route.ts), the module swap (module-swap-steps.ts) and the package steps (package-route.ts) build
// steps the same way.
import type { LocalAction, ManualAction, SshAction, Step, WaitAction } from '../../core/plan';
import type { AgentRef } from './agents';
import type { DmsFacts } from './facts';
import * as win from '../../core/dataminer/windows-commands';

export const MIN = 60_000;
export const READ_TIMEOUT = 2 * MIN;
/** Where Backout writes its UpgradeInfo.xml files and msiexec logs on an Agent. */
export const WORK_DIR = 'C:\\Skyline DataMiner\\Upgrades\\Backout';
/** An Agent stands for "each Agent" in an offline plan. */
export const OFFLINE_AGENT: AgentRef = { name: 'each-agent', address: 'each-agent' };

/** One Agent as the steps address it: its name (SSH), its DefaultShell and paths. */
export interface AgentTarget {
  agent: AgentRef;
  shell: win.DefaultShell;
  paths: win.AgentPaths;
}

/** The Agents of the DMS, or the one stand-in of an offline plan (cmd.exe, default paths). */
export function agentTargets(facts: DmsFacts | undefined): AgentTarget[] {
  if (facts === undefined) return [{ agent: OFFLINE_AGENT, shell: 'cmd', paths: win.DEFAULT_AGENT_PATHS }];
  return facts.agents.map((f) => ({ agent: f.agent, shell: f.shell, paths: f.paths }));
}

export function ssh(t: AgentTarget, rendered: { line: string }): SshAction {
  return { kind: 'ssh', host: t.agent.name, command: rendered.line };
}

export function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Output of `listInstalledPrograms` without the product code (start-of-input anchored lookahead). */
export function absentCode(code: string): string {
  return `^(?<![\\s\\S])(?![\\s\\S]*${regexEscape(code)})`;
}

export interface StepFlags {
  destructive?: boolean;
  idempotent?: boolean;
  timeoutMs?: number;
}

/** A person has a day to do a manual step unless told otherwise. */
const MANUAL_TIMEOUT = 24 * 3600_000;

/** A step only a person can do, once for the whole run. */
export function manualStep(id: string, title: string, source: string, instructions: string, options: StepFlags & { instance?: string } = {}): Step {
  return manualSteps(id, title, source, [{ instance: options.instance ?? 'operator', instructions }], options);
}

/** A step only a person can do, once per instance (each Agent VM, the database VM), each with its own instructions. */
export function manualSteps(id: string, title: string, source: string, instances: ReadonlyArray<{ instance: string; instructions: string }>, options: StepFlags = {}): Step {
  return {
    id,
    title,
    source,
    kind: 'manual',
    destructive: options.destructive ?? false,
    idempotent: options.idempotent ?? true,
    timeoutMs: options.timeoutMs ?? MANUAL_TIMEOUT,
    instances: instances.map((i) => ({ instance: i.instance, action: { kind: 'manual', instructions: i.instructions } satisfies ManualAction })),
  };
}

/** A step that waits, per instance, until what it polls says so; waiting changes nothing and may be repeated. */
export function waitStep(id: string, title: string, source: string, timeoutMs: number, instances: ReadonlyArray<{ instance: string; wait: Omit<WaitAction, 'kind'> }>): Step {
  return {
    id,
    title,
    source,
    kind: 'wait',
    destructive: false,
    idempotent: true,
    timeoutMs,
    instances: instances.map((i) => ({ instance: i.instance, action: { kind: 'wait', ...i.wait } })),
  };
}

/** A step run on this machine (instance "local"). */
export function localStep(id: string, title: string, source: string, action: LocalAction, options: Required<Pick<StepFlags, 'destructive' | 'idempotent' | 'timeoutMs'>>): Step {
  return { id, title, source, kind: 'local', destructive: options.destructive, idempotent: options.idempotent, timeoutMs: options.timeoutMs, instances: [{ instance: 'local', action }] };
}
