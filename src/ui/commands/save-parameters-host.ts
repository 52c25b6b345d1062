// Save Parameters… in VS Code: the save dialog (parameter file filters) and an information message.
import * as vscode from 'vscode';
import type { SaveParametersHost } from './save-parameters';

export const vscodeSaveParametersHost: SaveParametersHost = {
  workspaceFolder() {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return folder?.scheme === 'file' ? folder.fsPath : undefined;
  },
  async askFile(defaultPath) {
    const uri = await vscode.window.showSaveDialog({
      title: 'Save the parameters (secrets are never written)',
      ...(defaultPath ? { defaultUri: vscode.Uri.file(defaultPath) } : {}),
      filters: { 'Parameter files': ['json', 'yaml', 'yml'] },
      saveLabel: 'Save Parameters',
    });
    return uri?.fsPath;
  },
  tell(message) {
    void vscode.window.showInformationMessage(message);
  },
};
