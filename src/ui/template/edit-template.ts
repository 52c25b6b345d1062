// "Backout: Edit Downgrade Script Template": opens the workspace's copy of the Ondat downgrade template, making it
// from the built-in one on first use. An existing copy is never overwritten: it holds the user's edits.
import * as fs from 'fs/promises';
import * as path from 'path';
import * as vscode from 'vscode';
import { DEFAULT_TEMPLATE } from '../../procedures/ondat';
import { BUILT_IN_TEMPLATE_URI, WORKSPACE_TEMPLATE_PATH, workspaceTemplateUri } from './template-files';

const OPEN_BUILT_IN = 'Open Built-in Template (Read-only)';

/** Writes the built-in template to `file` unless something is there already; true when it was created. */
export async function createCopyIfAbsent(file: string): Promise<boolean> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // 'wx' fails when the file exists, so a copy made meanwhile (another window, git checkout) is kept.
    await fs.writeFile(file, DEFAULT_TEMPLATE, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export async function editTemplate(log: vscode.LogOutputChannel): Promise<vscode.Uri | undefined> {
  const uri = workspaceTemplateUri();
  if (!uri) {
    const choice = await vscode.window.showInformationMessage(
      'Backout: no folder is open, so there is nowhere to keep an edited copy of the downgrade template. Open a folder to edit one, or look at the built-in template.',
      OPEN_BUILT_IN,
    );
    if (choice !== OPEN_BUILT_IN) return undefined;
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(BUILT_IN_TEMPLATE_URI), { preview: false });
    return BUILT_IN_TEMPLATE_URI;
  }
  if (uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`Backout: the template copy must be a local file; ${uri.toString()} is not.`);
    return undefined;
  }
  if (await createCopyIfAbsent(uri.fsPath)) {
    log.info(`Created ${WORKSPACE_TEMPLATE_PATH} from the built-in downgrade template.`);
    const usedBy = vscode.workspace.isTrusted ? 'Runs in this workspace use it.' : 'Runs use it once you trust this workspace; until then they use the built-in template.';
    void vscode.window.showInformationMessage(`Backout: created ${WORKSPACE_TEMPLATE_PATH} from the built-in template. ${usedBy}`);
  }
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  return uri;
}
