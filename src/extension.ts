// Composition root: wires the layers together and nothing else. Heavy adapters (client-node, ssh2) are loaded on
// first use by src/adapters/lazy.ts, never here.
import type * as vscode from 'vscode';
import { procedures } from './core/registry';
import { builtinProcedures } from './procedures';
import { activateUi, type BackoutApi } from './ui/activate';

export function activate(context: vscode.ExtensionContext): BackoutApi {
  for (const p of builtinProcedures) if (!procedures.has(p.id)) procedures.register(p);
  return activateUi(context);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
