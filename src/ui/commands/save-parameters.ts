// Save Parameters…: a run's answers as a parameter file (adapters/local/params-file.ts), never with a secret, by
// default in the workspace's .backout/params/ where Start Rollback offers it.
import * as path from 'path';
import * as vscode from 'vscode';
import { writeParamsFile } from '../../adapters/local/params-file';
import { REDACTED } from '../../core/parameters';
import { editorSuppliedParameters } from '../template/resolve-template';
import type { RunChoice } from './run-questions';

/** The parameters worth saving: no secret, no editor-supplied template text, no value equal to its default. */
export function savedParameters(choice: RunChoice): Record<string, string> {
  const out: Record<string, string> = {};
  const fromEditor = new Set(editorSuppliedParameters(choice.procedure.id));
  for (const d of choice.procedure.parameters) {
    const v = choice.params[d.name];
    if (v === undefined || v === REDACTED || d.secret || fromEditor.has(d.name)) continue;
    if (d.default !== undefined && String(d.default) === v) continue;
    out[d.name] = v;
  }
  return out;
}

/** Asks where (default: the workspace's .backout/params/) and writes a parameter file. */
export async function saveParameterFile(choice: RunChoice): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = choice.procedure.targetParameter ? choice.params[choice.procedure.targetParameter.name] : undefined;
  const name = `${choice.procedure.id}${target ? `-${target}` : ''}.json`.replace(/[^A-Za-z0-9._-]/g, '_');
  const uri = await vscode.window.showSaveDialog({
    title: 'Save the parameters (secrets are never written)',
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, '.backout', 'params', name) } : {}),
    filters: { 'Parameter files': ['json', 'yaml', 'yml'] },
    saveLabel: 'Save Parameters',
  });
  if (!uri) return undefined;
  writeParamsFile(uri.fsPath, { procedure: choice.procedure.id, params: savedParameters(choice) });
  void vscode.window.showInformationMessage(`Backout: parameters saved to ${path.basename(uri.fsPath)}. Use them with \`backout plan ${choice.procedure.id} --params-file ${uri.fsPath}\`${folder ? ' or from Start Rollback' : ''}.`);
  return uri.fsPath;
}
