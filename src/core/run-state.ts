// Everything known about a run, derived from its plan and journal alone. The runner, `show`, the run panel and the
// report all read this; nothing about a run is kept only in memory.
import { JournalCorruptError } from './errors';
import type { Actor, Confirmation, JobIdentity, JournalEvent, RunOutcome } from './journal';
import { unitKey, type Plan } from './plan';
import { canTransition, isDone, type StepState } from './step-state';

export interface UnitState {
  step: string;
  instance: string;
  state: StepState;
  attempt: number;
  /** True when the latest attempt reached `running`, i.e. the action may have had an effect. */
  actionStarted: boolean;
  /**
   * An attempt started and ended without an outcome saying whether it took effect (interrupted, cancelled or timed
   * out mid-way, its means failed): it "may already have run". Unlike `actionStarted` this survives a declined gate,
   * a cancel and further interruptions; only an outcome clears it (succeeded, skipped, or an exit code of its own).
   */
  inDoubt: boolean;
  /** What the current attempt started, once known (from a `job` event). */
  job?: JobIdentity;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  exitCode?: number;
  error?: string;
  reason?: string;
  confirmations: Confirmation[];
}

/** succeeded/failed/cancelled once finished; `unfinished` while running or after an interruption. */
export type RunStatus = RunOutcome | 'not-started' | 'unfinished';

export interface RunState {
  runId: string;
  plan: Plan;
  units: Map<string, UnitState>;
  status: RunStatus;
  startedAt?: string;
  finishedAt?: string;
  finishReason?: string;
  /** Each session that worked on the run: the first start, then each resume. */
  sessions: Array<{ at: string; by: Actor; kind: 'start' | 'resume' }>;
  warnings: string[];
  events: number;
}

export function initialState(runId: string, plan: Plan): RunState {
  const units = new Map<string, UnitState>();
  for (const step of plan.steps) {
    for (const inst of step.instances) {
      units.set(unitKey(step.id, inst.instance), {
        step: step.id,
        instance: inst.instance,
        state: 'planned',
        attempt: 0,
        actionStarted: false,
        inDoubt: false,
        confirmations: [],
      });
    }
  }
  return { runId, plan, units, status: 'not-started', sessions: [], warnings: [], events: 0 };
}

/**
 * Applies one event. Throws when the event is impossible (unknown unit, illegal transition): `where` names the
 * journal file and line for the error.
 */
export function applyEvent(state: RunState, event: JournalEvent, where: { file: string; line: number }): void {
  state.events++;
  switch (event.type) {
    case 'run-started':
      state.status = 'unfinished';
      state.startedAt = event.at;
      state.sessions.push({ at: event.at, by: event.by, kind: 'start' });
      return;
    case 'run-resumed':
      state.status = 'unfinished';
      state.finishedAt = undefined;
      state.finishReason = undefined;
      state.sessions.push({ at: event.at, by: event.by, kind: 'resume' });
      return;
    case 'warning':
      state.warnings.push(event.message);
      return;
    case 'host':
      state.warnings.push(event.message);
      return;
    case 'job': {
      const unit = state.units.get(unitKey(event.step, event.instance));
      if (!unit) throw new JournalCorruptError(where.file, where.line, `job of step ${event.step} instance ${event.instance}, which is not in the plan`);
      if (unit.state !== 'running' || unit.attempt !== event.attempt) {
        throw new JournalCorruptError(where.file, where.line, `job of ${unitKey(event.step, event.instance)} attempt ${event.attempt}, which is not running`);
      }
      unit.job = event.job;
      return;
    }
    case 'run-finished':
      state.status = event.outcome;
      state.finishedAt = event.at;
      state.finishReason = event.reason;
      return;
    case 'step': {
      const unit = state.units.get(unitKey(event.step, event.instance));
      if (!unit) throw new JournalCorruptError(where.file, where.line, `step ${event.step} instance ${event.instance} is not in the plan`);
      if (!canTransition(unit.state, event.state)) {
        throw new JournalCorruptError(where.file, where.line, `step ${unitKey(event.step, event.instance)} cannot go from ${unit.state} to ${event.state}`);
      }
      const from = unit.state;
      unit.state = event.state;
      unit.attempt = event.attempt;
      if (event.confirmation) unit.confirmations.push(event.confirmation);
      if (event.state === 'running') {
        unit.actionStarted = true;
        unit.startedAt = event.at;
        unit.finishedAt = undefined;
        unit.durationMs = undefined;
        unit.exitCode = undefined;
        unit.error = undefined;
        unit.job = undefined;
      } else if (event.state === 'awaiting-confirmation') {
        unit.actionStarted = false;
      } else {
        if (event.state === 'succeeded' || event.state === 'skipped') unit.inDoubt = false;
        else if (from === 'running') unit.inDoubt = event.exitCode === undefined;
        unit.finishedAt = event.at;
        if (event.durationMs !== undefined) unit.durationMs = event.durationMs;
      }
      unit.reason = event.reason;
      if (event.exitCode !== undefined) unit.exitCode = event.exitCode;
      if (event.error !== undefined) unit.error = event.error;
      return;
    }
  }
}

export function replay(runId: string, plan: Plan, events: readonly JournalEvent[], file: string): RunState {
  const state = initialState(runId, plan);
  events.forEach((e, i) => applyEvent(state, e, { file, line: i + 1 }));
  return state;
}

/** Units in plan order. */
export function unitsInOrder(state: RunState): UnitState[] {
  return state.plan.steps.flatMap((s) => s.instances.map((i) => state.units.get(unitKey(s.id, i.instance)) as UnitState));
}

export function allDone(state: RunState): boolean {
  for (const u of state.units.values()) if (!isDone(u.state)) return false;
  return true;
}

/** Counts of units per state, for summaries. */
export function stateCounts(state: RunState): Record<StepState, number> {
  const counts: Record<StepState, number> = {
    planned: 0,
    'awaiting-confirmation': 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
  };
  for (const u of state.units.values()) counts[u.state]++;
  return counts;
}
