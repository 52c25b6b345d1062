// Backout: Forget Saved Secrets… — the passwords and passphrases remembered in VS Code's secret storage, deleted.
import * as vscode from 'vscode';
import type { SavedSecrets } from './saved-secrets';

/** Backout: Forget Saved Secrets — choose which remembered passwords and passphrases to delete. */
export function registerForgetSecrets(saved: SavedSecrets): vscode.Disposable {
  return vscode.commands.registerCommand('backout.forgetSecrets', async () => {
    const names = saved.names();
    if (names.length === 0) {
      void vscode.window.showInformationMessage('Backout: no password or passphrase is saved.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      names.map((n) => ({ label: n, picked: true })),
      { canPickMany: true, title: 'Forget Saved Secrets', placeHolder: 'The passwords and passphrases to delete from VS Code\'s secret storage' },
    );
    if (!picked || picked.length === 0) return;
    await saved.forget(picked.map((p) => p.label));
    void vscode.window.showInformationMessage(`Backout: forgot ${picked.length} saved secret${picked.length === 1 ? '' : 's'}.`);
  });
}
