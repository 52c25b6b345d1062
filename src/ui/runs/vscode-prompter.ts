// The Prompter of runs executing in VS Code: gates go to the run panel (brought to the front), secrets to a password
// input box (and, when remembered, VS Code's SecretStorage), choices to a QuickPick.
import * as vscode from 'vscode';
import type { ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../../core/ports';
import type { GateBroker } from './gates';
import type { SavedSecrets } from './saved-secrets';

export interface PrompterContext {
  /** The run the prompts belong to; known once the run folder exists. */
  runId(): string | undefined;
  gates: GateBroker;
  /** Shows the run panel of the run (so the gate is visible). */
  reveal(runId: string): void;
  /** Where secrets the user chose to remember are kept; without it nothing is remembered. */
  saved?: SavedSecrets;
}

export class VscodePrompter implements Prompter {
  readonly via = 'VS Code run panel';

  constructor(private readonly ctx: PrompterContext) {}

  confirm(q: ConfirmRequest): Promise<boolean> {
    return this.gate(q, undefined);
  }

  typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    return this.gate(q, q.expected);
  }

  private async gate(q: ConfirmRequest, expected: string | undefined): Promise<boolean> {
    const runId = this.ctx.runId();
    if (!runId) {
      // Before the run folder exists there is no panel to ask in: a modal dialog naming the target.
      const choice = await vscode.window.showWarningMessage(`${q.title} — ${q.target}`, { modal: true, detail: q.detail }, 'Confirm');
      return choice === 'Confirm';
    }
    const answer = this.ctx.gates.request(runId, { title: q.title, target: q.target, ...(q.detail ? { detail: q.detail } : {}), ...(expected !== undefined ? { expected } : {}) }, q.signal);
    // The panel comes to the front with the gate in it; the status bar item keeps pointing at the run meanwhile.
    this.ctx.reveal(runId);
    return answer;
  }

  async askSecret(q: SecretRequest): Promise<string | undefined> {
    const saved = this.ctx.saved;
    if (q.name && saved) {
      const known = await saved.take(q.name);
      if (known !== undefined) return known;
    }
    const { value, remember } = await askWithRemember(q, q.name !== undefined && saved !== undefined);
    if (value === undefined || value === '') return undefined;
    if (remember && q.name && saved) await saved.remember(q.name, value);
    return value;
  }

  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    const items = q.options.map((o) => ({ label: o.label, description: o.description, value: o.value }));
    const chosen = await vscode.window.showQuickPick(items, { title: q.title, placeHolder: q.detail, ignoreFocusOut: true });
    return chosen?.value;
  }
}

/** A password input box; with a name to keep it under, a Remember toggle (off until the user turns it on). */
function askWithRemember(q: SecretRequest, canRemember: boolean): Promise<{ value?: string; remember: boolean }> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = q.title;
    box.prompt = q.prompt;
    box.password = true;
    box.ignoreFocusOut = true;
    let remember = false;
    const toggle = (): vscode.QuickInputButton => ({
      iconPath: new vscode.ThemeIcon(remember ? 'lock' : 'unlock'),
      tooltip: remember ? 'Remember: on — kept in VS Code\'s secret storage (Forget Saved Secrets removes it)' : 'Remember in VS Code\'s secret storage',
    });
    if (canRemember) box.buttons = [toggle()];
    let settled = false;
    box.onDidTriggerButton(() => {
      remember = !remember;
      box.buttons = [toggle()];
      box.prompt = remember ? `${q.prompt} — will be remembered` : q.prompt;
    });
    box.onDidAccept(() => {
      settled = true;
      resolve({ value: box.value, remember });
      box.hide();
    });
    box.onDidHide(() => {
      box.dispose();
      if (!settled) resolve({ remember: false });
    });
    box.show();
  });
}
