// The last answers of Start Rollback and Dry Run per procedure and target, kept in VS Code's global state (this
// machine's, not synced). run-questions.ts never passes a secret here.
import type * as vscode from 'vscode';
import type { AnswerMemory } from './run-questions';

const KEY = 'backout.lastAnswers';

export class MementoAnswerMemory implements AnswerMemory {
  constructor(private readonly state: vscode.Memento) {}

  private all(): Record<string, Record<string, string>> {
    return this.state.get<Record<string, Record<string, string>>>(KEY, {});
  }

  recall(procedureId: string, target: string): Record<string, string> {
    return { ...this.all()[`${procedureId}\u0000${target}`] };
  }

  async remember(procedureId: string, target: string, answers: Record<string, string>): Promise<void> {
    await this.state.update(KEY, { ...this.all(), [`${procedureId}\u0000${target}`]: answers });
  }
}
