// Composition root: wires the layers together and nothing else. Heavy adapters (client-node, ssh2) are loaded on
// first use by src/adapters/lazy.ts, never here.
import type * as vscode from 'vscode';
import { activateUi, type BackoutApi } from './ui/activate';

export function activate(context: vscode.ExtensionContext): BackoutApi {
  return activateUi(context);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
