// The state machine of one step instance. Every journal event moves a unit along one of these edges; replaying a
// journal checks each edge, so a journal that describes an impossible history is rejected rather than trusted.

export const STEP_STATES = ['planned', 'awaiting-confirmation', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type StepState = (typeof STEP_STATES)[number];

const EDGES: Readonly<Record<StepState, readonly StepState[]>> = {
  // A destructive step waits at its gate; any other starts.
  planned: ['awaiting-confirmation', 'running'],
  // Confirmed: it starts. Declined or interrupted at the gate: cancelled, nothing was done.
  'awaiting-confirmation': ['running', 'cancelled'],
  // A running unit ends here; when the process dies instead, the resume records it as cancelled (interrupted).
  running: ['succeeded', 'failed', 'cancelled'],
  // Failed or cancelled units are attempted again on resume (through the gate when destructive), found done by
  // their verification or by the user, or skipped.
  failed: ['awaiting-confirmation', 'running', 'succeeded', 'skipped'],
  cancelled: ['awaiting-confirmation', 'running', 'succeeded', 'skipped'],
  // Finished for good: never repeated.
  succeeded: [],
  skipped: [],
};

export function canTransition(from: StepState, to: StepState): boolean {
  return EDGES[from].includes(to);
}

export function nextStates(from: StepState): readonly StepState[] {
  return EDGES[from];
}

/** States after which a unit is never run again. */
export function isDone(state: StepState): boolean {
  return state === 'succeeded' || state === 'skipped';
}

export function isStepState(value: unknown): value is StepState {
  return typeof value === 'string' && (STEP_STATES as readonly string[]).includes(value);
}
