// Parameter files of the workspace (.backout/params/*.json|yaml), offered by Start Rollback beside the procedures.
// Only in a trusted workspace: a file there can point a run at any target.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { readParamsFile } from '../../adapters/local/params-file';
import type { ParamFileChoice } from './run-questions';

export async function workspaceParamFiles(log: vscode.LogOutputChannel): Promise<ParamFileChoice[]> {
  if (!vscode.workspace.isTrusted) return [];
  const out: ParamFileChoice[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const dir = path.join(folder.uri.fsPath, '.backout', 'params');
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => /\.(json|ya?ml)$/i.test(n)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        const content = readParamsFile(file);
        if (!content.procedure) {
          log.warn(`${file}: not offered in Start Rollback, it names no "procedure"`);
          continue;
        }
        out.push({ label: name, file, procedure: content.procedure, params: content.params });
      } catch (err) {
        log.warn(err instanceof Error ? err.message : String(err));
      }
    }
  }
  return out;
}
