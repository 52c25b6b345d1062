// A multi-step input (QuickPick and InputBox in one flow) with a step counter and a Back button, each value
// validated as it is typed.
import * as vscode from 'vscode';

export class InputFlowCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

class Back extends Error {}

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface FlowStep {
  title: string;
  run(ui: FlowUi): Promise<void>;
}

export interface FlowUi {
  pick<T>(options: { placeholder: string; items: ReadonlyArray<PickItem<T>>; activeValue?: T }): Promise<T>;
  input(options: { prompt: string; value?: string; placeholder?: string; password?: boolean; validate(value: string): string | undefined }): Promise<string>;
}

/**
 * Runs the steps in order; Back returns to the previous step. `steps` is asked again before each step, so that later
 * steps can depend on earlier answers (the parameters of the chosen procedure). Throws InputFlowCancelled when
 * dismissed.
 */
export async function runFlow(title: string, steps: FlowStep[] | (() => FlowStep[])): Promise<void> {
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
      if (err instanceof Back) i = Math.max(0, i - 1);
      else throw err;
    }
  }
}

function makeUi(title: string, step: number, totalSteps: number, canGoBack: boolean): FlowUi {
  const buttons = canGoBack ? [vscode.QuickInputButtons.Back] : [];
  return {
    pick<T>({ placeholder, items, activeValue }: { placeholder: string; items: ReadonlyArray<PickItem<T>>; activeValue?: T }): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const qp = vscode.window.createQuickPick<PickItem<T>>();
        qp.title = title;
        qp.step = step;
        qp.totalSteps = totalSteps;
        qp.placeholder = placeholder;
        qp.items = items;
        qp.buttons = buttons;
        qp.ignoreFocusOut = true;
        const active = items.find((it) => it.value === activeValue);
        if (active) qp.activeItems = [active];
        let settled = false;
        qp.onDidTriggerButton((b) => {
          if (b === vscode.QuickInputButtons.Back) {
            settled = true;
            qp.hide();
            reject(new Back());
          }
        });
        qp.onDidAccept(() => {
          const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
          if (!chosen) return;
          settled = true;
          qp.hide();
          resolve(chosen.value);
        });
        qp.onDidHide(() => {
          qp.dispose();
          if (!settled) reject(new InputFlowCancelled());
        });
        qp.show();
      });
    },
    input({ prompt, value, placeholder, password, validate }): Promise<string> {
      return new Promise<string>((resolve, reject) => {
        const box = vscode.window.createInputBox();
        box.title = title;
        box.step = step;
        box.totalSteps = totalSteps;
        box.prompt = prompt;
        box.value = value ?? '';
        box.placeholder = placeholder;
        box.password = password === true;
        box.buttons = buttons;
        box.ignoreFocusOut = true;
        let settled = false;
        const check = () => {
          box.validationMessage = validate(box.value);
        };
        check();
        box.onDidChangeValue(check);
        box.onDidTriggerButton((b) => {
          if (b === vscode.QuickInputButtons.Back) {
            settled = true;
            box.hide();
            reject(new Back());
          }
        });
        box.onDidAccept(() => {
          const problem = validate(box.value);
          if (problem) {
            box.validationMessage = problem;
            return;
          }
          settled = true;
          box.hide();
          resolve(box.value);
        });
        box.onDidHide(() => {
          box.dispose();
          if (!settled) reject(new InputFlowCancelled());
        });
        box.show();
      });
    },
  };
}
