// A multi-step input flow without VS Code: steps run in order, Back returns to the previous one with every answer
// kept (answers live in the caller's values, not in the steps). The VS Code quick inputs are one FlowUi
// (multi-step.ts); unit tests drive the same flows with a scripted one.

export class InputFlowCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Thrown by a FlowUi when the user presses Back. */
export class BackRequested extends Error {
  constructor() {
    super('back');
  }
}

/** Thrown by a step to be run again from the new list of steps (which its outcome changed). */
export class RetryStep extends Error {
  constructor() {
    super('retry');
  }
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  /** Shown whatever the user types as a filter (e.g. "Type a value…"). */
  alwaysShow?: boolean;
  value: T;
}

export interface FlowUi {
  /** `typed`, when given, receives the text typed in the filter at the moment of the choice. */
  pick<T>(options: { placeholder: string; items: ReadonlyArray<PickItem<T>>; activeValue?: T; typed?: { text: string } }): Promise<T>;
  input(options: { prompt: string; value?: string; placeholder?: string; password?: boolean; validate(value: string): string | undefined }): Promise<string>;
  /** A local file chosen in the file dialog, or undefined when dismissed. */
  pickFile?(options: { title: string; filters?: Record<string, string[]> }): Promise<string | undefined>;
}

/** Makes the UI of one step: its title, position and whether Back is offered. */
export type FlowUiFactory = (title: string, step: number, totalSteps: number, canGoBack: boolean) => FlowUi;

export interface FlowStep {
  title: string;
  run(ui: FlowUi): Promise<void>;
}

/**
 * Runs the steps in order; Back returns to the previous step. `steps` is asked again before each step, so that later
 * steps can depend on earlier answers (the parameters that apply to the route chosen). Throws InputFlowCancelled when
 * dismissed.
 */
export async function runFlow(title: string, steps: FlowStep[] | (() => FlowStep[]), makeUi: FlowUiFactory): Promise<void> {
  const current = typeof steps === 'function' ? steps : () => steps;
  let i = 0;
  while (i < current().length) {
    const all = current();
    const step = all[i] as FlowStep;
    const ui = makeUi(`${title}: ${step.title}`, i + 1, all.length, i > 0);
    try {
      await step.run(ui);
      i++;
    } catch (err) {
      if (err instanceof BackRequested) i = Math.max(0, i - 1);
      else if (!(err instanceof RetryStep)) throw err;
    }
  }
}
