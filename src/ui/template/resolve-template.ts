// The template a run uses, for Start Rollback and Dry Run: the workspace's edited copy in a trusted workspace, else the
// built-in one, and the user is told when an edited copy is left aside.
import * as vscode from 'vscode';
import { DEFAULT_TEMPLATE, ondatDowngrade } from '../../procedures/ondat';
import { chooseTemplate, type ResolvedTemplate } from './template-choice';
import { WORKSPACE_TEMPLATE_PATH, workspaceTemplateUri } from './template-files';

/** The parameter through which the Ondat procedure takes the full text of an edited template. */
export const TEMPLATE_PARAMETER = 'template';

async function readWorkspaceCopy(): Promise<{ text: string; path: string } | undefined> {
  const uri = workspaceTemplateUri();
  if (!uri) return undefined;
  try {
    // The saved file, not an editor's unsaved text: what a run used can be found again on disk.
    const bytes = await vscode.workspace.fs.readFile(uri);
    return { text: Buffer.from(bytes).toString('utf8'), path: WORKSPACE_TEMPLATE_PATH };
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return undefined;
    throw err;
  }
}

/** `trusted` defaults to the workspace's trust; tests pass it to exercise both answers. */
export async function resolveTemplate(options: { trusted?: boolean } = {}): Promise<ResolvedTemplate> {
  const copy = await readWorkspaceCopy();
  return chooseTemplate({ trusted: options.trusted ?? vscode.workspace.isTrusted, builtIn: DEFAULT_TEMPLATE, ...(copy ? { workspaceCopy: copy } : {}) });
}

/**
 * The run's parameters with the resolved template added (the Ondat procedure's contribution supplies it). A template
 * given by the caller (a preset, the CLI) wins. When an edited copy is left aside the user is told why, without
 * waiting for them.
 */
export async function supplyTemplate(params: Record<string, string>, log?: vscode.LogOutputChannel): Promise<Record<string, string>> {
  if (params[TEMPLATE_PARAMETER] !== undefined) return params;
  const resolved = await resolveTemplate();
  if (resolved.fallbackReason) {
    log?.warn(resolved.fallbackReason);
    void vscode.window.showWarningMessage(`Backout: ${resolved.fallbackReason}`, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }
  if (resolved.source !== 'workspace') return params;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === workspaceTemplateUri()?.toString());
  if (open?.isDirty) {
    const note = `${resolved.origin} has unsaved changes; this run uses the saved file. Save it and start again to use your changes.`;
    log?.warn(note);
    void vscode.window.showWarningMessage(`Backout: ${note}`);
  }
  log?.info(`The run uses the edited downgrade template ${resolved.origin}.`);
  return { ...params, [TEMPLATE_PARAMETER]: resolved.text };
}

/** supplyTemplate for the procedure that takes a template, the parameters unchanged for any other. */
export function withTemplateParameter(procedureId: string, params: Record<string, string>, log?: vscode.LogOutputChannel): Promise<Record<string, string>> {
  return procedureId === ondatDowngrade.id ? supplyTemplate(params, log) : Promise.resolve(params);
}
