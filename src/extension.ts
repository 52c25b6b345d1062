// Composition root: wires the layers together and nothing else. Heavy adapters (client-node, ssh2) are loaded on
// first use by src/adapters/lazy.ts, never here.
import * as os from 'os';
import * as vscode from 'vscode';
import { packageToolFromScript } from './adapters/local/package-tool-script';
import { loadProcedureModules, procedureModulePaths } from './adapters/local/procedure-modules';
import { procedures } from './core/registry';
import { builtinProcedures } from './procedures';
import { activateUi, type BackoutApi } from './ui/activate';

export function activate(context: vscode.ExtensionContext): BackoutApi {
  const packageTool = packageToolFromScript(vscode.Uri.joinPath(context.extensionUri, 'dist', 'dmupgrade-package.js').fsPath);
  for (const p of builtinProcedures({ packageTool })) if (!procedures.has(p.id)) procedures.register(p);
  const api = activateUi(context);
  // Procedures of procedure authors, named like the CLI's (BACKOUT_PROCEDURE_MODULES in VS Code's environment).
  const modules = procedureModulePaths(process.env, []);
  if (modules.length > 0) {
    try {
      loadProcedureModules(modules, procedures, os.homedir());
    } catch (err) {
      void vscode.window.showErrorMessage(`Backout: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
