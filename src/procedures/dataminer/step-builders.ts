// The building blocks route B's steps are made of (route A keeps its own for now): the Agents a plan acts on, the SSH
// action on one of them, and the regular expressions that verify what an Agent answered. Kept apart so the module swap
// (module-swap-steps.ts) and the package steps (package-route.ts) build steps the same way.
import type { ManualAction, SshAction, Step } from '../../core/plan';
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

/** A step only a person can do, once for the whole run. */
export function manualStep(id: string, title: string, source: string, instructions: string, options: { destructive?: boolean; idempotent?: boolean; timeoutMs?: number; instance?: string } = {}): Step {
  const action: ManualAction = { kind: 'manual', instructions };
  return {
    id,
    title,
    source,
    kind: 'manual',
    destructive: options.destructive ?? false,
    idempotent: options.idempotent ?? true,
    timeoutMs: options.timeoutMs ?? 24 * 3600_000,
    instances: [{ instance: options.instance ?? 'operator', action }],
  };
}
