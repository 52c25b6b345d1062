// The Runs tree's nodes: run → steps → instance logs. Built from a run's state alone (pure; unit-tested).
import { unitKey } from '../../core/plan';
import type { RunState } from '../../core/run-state';
import type { StepState } from '../../core/step-state';

export type RunsNode = RunNode | RunStepNode | RunLogNode | RunProblemNode;

export interface RunNode {
  kind: 'run';
  runId: string;
  procedure: string;
  target: string;
  status: string;
  startedAt?: string;
  active: boolean;
}

export interface RunStepNode {
  kind: 'run-step';
  runId: string;
  step: string;
  title: string;
  /** The step's overall state: the worst of its instances. */
  state: StepState;
  instances: number;
}

export interface RunLogNode {
  kind: 'run-log';
  runId: string;
  step: string;
  instance: string;
  state: StepState;
  durationMs?: number;
}

export interface RunProblemNode {
  kind: 'run-problem';
  runId: string;
  message: string;
}

const SEVERITY: StepState[] = ['succeeded', 'skipped', 'planned', 'cancelled', 'awaiting-confirmation', 'running', 'failed'];

/** The state that best describes a step with several instances: a failure or activity shows over successes. */
export function worstState(states: readonly StepState[]): StepState {
  if (states.length === 0) return 'planned';
  if (states.every((s) => s === 'succeeded' || s === 'skipped')) return states.includes('succeeded') ? 'succeeded' : 'skipped';
  return states.reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a));
}

export function runNode(state: RunState, active: boolean): RunNode {
  return {
    kind: 'run',
    runId: state.runId,
    procedure: state.plan.procedure.title,
    target: state.plan.target.description ?? state.plan.target.name,
    status: active && state.status === 'unfinished' ? 'running' : state.status,
    ...(state.startedAt ? { startedAt: state.startedAt } : {}),
    active,
  };
}

export function stepNodes(state: RunState): RunStepNode[] {
  return state.plan.steps.map((step) => {
    const states = step.instances.map((i) => state.units.get(unitKey(step.id, i.instance))?.state ?? 'planned');
    return { kind: 'run-step', runId: state.runId, step: step.id, title: step.title, state: worstState(states), instances: step.instances.length };
  });
}

export function logNodes(state: RunState, stepId: string): RunLogNode[] {
  const step = state.plan.steps.find((s) => s.id === stepId);
  if (!step) return [];
  return step.instances.map((i) => {
    const u = state.units.get(unitKey(step.id, i.instance));
    return {
      kind: 'run-log',
      runId: state.runId,
      step: step.id,
      instance: i.instance,
      state: u?.state ?? 'planned',
      ...(u?.durationMs !== undefined ? { durationMs: u.durationMs } : {}),
    };
  });
}
