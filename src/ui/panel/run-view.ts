// Projects a run's state (derived from its journal) onto the panel's view model. Pure, so unit tests cover it.
import { readableAction, unitKey } from '../../core/plan';
import type { RunState } from '../../core/run-state';
import type { GateView, RunStatusView, RunView, StepView } from './protocol';

export interface RunViewExtras {
  activeHere: boolean;
  activeElsewhere?: string;
  gate?: GateView;
  dryRun?: boolean;
}

export function toRunView(state: RunState, extras: RunViewExtras): RunView {
  const plan = state.plan;
  const instances: string[] = [];
  for (const step of plan.steps) for (const inst of step.instances) if (!instances.includes(inst.instance)) instances.push(inst.instance);
  const steps: StepView[] = plan.steps.map((step) => ({
    id: step.id,
    title: step.title,
    source: step.source,
    kind: step.kind,
    destructive: step.destructive,
    idempotent: step.idempotent,
    commands: Object.fromEntries(step.instances.map((i) => [i.instance, readableAction(i.action)])),
    cells: step.instances.map((i) => {
      const u = state.units.get(unitKey(step.id, i.instance));
      return {
        step: step.id,
        instance: i.instance,
        state: u?.state ?? 'planned',
        attempt: u?.attempt ?? 0,
        ...(u?.durationMs !== undefined ? { durationMs: u.durationMs } : {}),
        ...(u?.exitCode !== undefined ? { exitCode: u.exitCode } : {}),
        ...(u?.error ?? u?.reason ? { reason: u?.error ?? u?.reason } : {}),
      };
    }),
  }));
  const status: RunStatusView = extras.activeHere || extras.activeElsewhere ? (state.status === 'unfinished' ? 'running' : state.status) : state.status;
  return {
    runId: state.runId,
    procedure: plan.procedure.title,
    target: plan.target.description ?? plan.target.name,
    production: plan.target.production,
    status,
    activeHere: extras.activeHere,
    ...(extras.activeElsewhere ? { activeElsewhere: extras.activeElsewhere } : {}),
    ...(state.startedAt ? { startedAt: state.startedAt } : {}),
    ...(state.finishedAt ? { finishedAt: state.finishedAt } : {}),
    ...(state.finishReason ? { finishReason: state.finishReason } : {}),
    warnings: [...plan.warnings, ...state.warnings],
    instances,
    steps,
    ...(extras.gate ? { gate: extras.gate } : {}),
    dryRun: extras.dryRun ?? false,
    ...(plan.blockers && plan.blockers.length > 0 ? { blockers: plan.blockers.map((b) => ({ problem: b.problem, resolution: b.resolution, ...(b.parameter ? { parameter: b.parameter } : {}) })) } : {}),
  };
}

/** The last `max` lines of a log, and whether any were dropped. */
export function tailOf(text: string, max: number): { lines: string[]; truncated: boolean } {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length > max ? { lines: lines.slice(-max), truncated: true } : { lines, truncated: false };
}
