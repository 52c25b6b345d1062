// What changed between the plan a person reviewed (a dry run) and the plan made again when they start it: the target
// may have moved on in between (another Agent upgraded, a workload scaled). Pure; VS Code shows it before starting, and
// the run host, which plans once more, refuses to start a plan that differs from the one accepted (`--expect-plan`).
import { renderAction, type Plan, type Step } from './plan';

/** What a comparison needs of a plan: its steps and warnings (never its parameter values, which may be secret). */
export type ComparablePlan = Pick<Plan, 'steps' | 'warnings'>;

/** The part of a plan written for a later comparison. */
export function comparablePlan(plan: Plan): ComparablePlan {
  return { steps: plan.steps, warnings: plan.warnings };
}

function commands(step: Step): Map<string, string> {
  return new Map(step.instances.map((i) => [i.instance, renderAction(i.action)]));
}

/** One line per difference, in plan order; empty when the plans would do the same. */
export function planDifferences(reviewed: ComparablePlan, current: ComparablePlan): string[] {
  const out: string[] = [];
  const before = new Map(reviewed.steps.map((s) => [s.id, s]));
  const after = new Map(current.steps.map((s) => [s.id, s]));
  for (const s of reviewed.steps) if (!after.has(s.id)) out.push(`step "${s.title}" is no longer in the plan`);
  for (const s of current.steps) {
    const old = before.get(s.id);
    if (!old) {
      out.push(`new step "${s.title}"${s.destructive ? ' (destructive)' : ''}`);
      continue;
    }
    if (old.destructive !== s.destructive) out.push(`step "${s.title}" is ${s.destructive ? 'now' : 'no longer'} destructive`);
    const was = commands(old);
    const now = commands(s);
    for (const inst of was.keys()) if (!now.has(inst)) out.push(`step "${s.title}" no longer runs on ${inst}`);
    for (const [inst, cmd] of now) {
      const prev = was.get(inst);
      if (prev === undefined) out.push(`step "${s.title}" now also runs on ${inst}`);
      else if (prev !== cmd) out.push(`step "${s.title}" on ${inst} sends a different command`);
    }
  }
  for (const w of current.warnings) if (!reviewed.warnings.includes(w)) out.push(`new warning: ${w}`);
  return out;
}
