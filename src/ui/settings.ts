// Typed access to Backout's settings. Machine-scoped settings (paths) can only come from user settings, never from a
// workspace, so a cloned repository cannot point Backout at another kubeconfig or key.
import * as vscode from 'vscode';

export const SECTION = 'backout';

export function kubeconfigSetting(): string {
  return vscode.workspace.getConfiguration(SECTION).get<string>('kubeconfig', '').trim();
}

export async function setKubeconfigSetting(value: string): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update('kubeconfig', value, vscode.ConfigurationTarget.Global);
}

export function affectsKubeconfig(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(`${SECTION}.kubeconfig`);
}

/**
 * Kubernetes contexts that are production (names, `*` as wildcard): the union of user, workspace and folder values,
 * so that a workspace can add a production context but never take one of the user's away.
 */
export function productionContextsSetting(): string[] {
  const i = vscode.workspace.getConfiguration(SECTION).inspect<string[]>('productionContexts');
  const all = [...(i?.globalValue ?? []), ...(i?.workspaceValue ?? []), ...(i?.workspaceFolderValue ?? [])];
  return [...new Set(all.filter((c): c is string => typeof c === 'string' && c.trim() !== '').map((c) => c.trim()))];
}
