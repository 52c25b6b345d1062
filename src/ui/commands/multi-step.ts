// The VS Code side of input flows (flow.ts): QuickPick and InputBox with a step counter and a Back button, each value
// validated as it is typed, and the open dialog for local files.
import * as vscode from 'vscode';
import { BackRequested, InputFlowCancelled, runFlow as runPureFlow, type FlowStep, type FlowUi, type PickItem } from './flow';

export { InputFlowCancelled, type FlowStep, type FlowUi, type PickItem } from './flow';

/** Runs a flow in VS Code's quick inputs. */
export function runFlow(title: string, steps: FlowStep[] | (() => FlowStep[])): Promise<void> {
  return runPureFlow(title, steps, makeUi);
}

export function makeUi(title: string, step: number, totalSteps: number, canGoBack: boolean): FlowUi {
  const buttons = canGoBack ? [vscode.QuickInputButtons.Back] : [];
  return {
    pick<T>({ placeholder, items, activeValue, typed }: { placeholder: string; items: ReadonlyArray<PickItem<T>>; activeValue?: T; typed?: { text: string } }): Promise<T> {
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
            reject(new BackRequested());
          }
        });
        qp.onDidAccept(() => {
          const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
          if (!chosen) return;
          if (typed) typed.text = qp.value;
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
    async pickFile({ title: dialogTitle, filters }): Promise<string | undefined> {
      const picked = await vscode.window.showOpenDialog({ title: dialogTitle, canSelectFiles: true, canSelectFolders: false, canSelectMany: false, ...(filters ? { filters } : {}) });
      return picked?.[0]?.fsPath;
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
            reject(new BackRequested());
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
