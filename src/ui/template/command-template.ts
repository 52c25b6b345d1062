// Which template a command acts on: the one it was invoked on (editor title button), else the template in the active
// editor, else the workspace copy when there is one, else the built-in template.
import * as vscode from 'vscode';
import { BUILT_IN_TEMPLATE_URI, isTemplateUri, workspaceTemplateUri } from './template-files';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export async function templateForCommand(arg: unknown): Promise<vscode.TextDocument> {
  if (arg instanceof vscode.Uri && isTemplateUri(arg)) return vscode.workspace.openTextDocument(arg);
  const active = vscode.window.activeTextEditor?.document;
  if (active && isTemplateUri(active.uri)) return active;
  const copy = workspaceTemplateUri();
  if (copy && (await exists(copy))) return vscode.workspace.openTextDocument(copy);
  return vscode.workspace.openTextDocument(BUILT_IN_TEMPLATE_URI);
}
