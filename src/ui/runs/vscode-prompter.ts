// The Prompter of runs executing in VS Code: gates go to the run panel (brought to the front), secrets to a password
// input box (and, when remembered, VS Code's SecretStorage), choices to a QuickPick.
import * as vscode from 'vscode';
import type { ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../../core/ports';
import type { GateBroker } from './gates';

export interface PrompterContext {
  /** The run the prompts belong to; known once the run folder exists. */
  runId(): string | undefined;
  gates: GateBroker;
  /** Shows the run panel of the run (so the gate is visible). */
  reveal(runId: string): void;
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
    const value = await vscode.window.showInputBox({ title: q.title, prompt: q.prompt, password: true, ignoreFocusOut: true });
    return value === undefined || value === '' ? undefined : value;
  }

  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    const items = q.options.map((o) => ({ label: o.label, description: o.description, value: o.value }));
    const chosen = await vscode.window.showQuickPick(items, { title: q.title, placeHolder: q.detail, ignoreFocusOut: true });
    return chosen?.value;
  }
}
