// Where the downgrade template lives for the editor: the workspace copy (a file the user edits and commits with the
// repository) and the built-in one, shown read-only as a virtual document so the installed extension is never edited.
import * as vscode from 'vscode';

/** The workspace copy, relative to the first workspace folder. */
export const WORKSPACE_TEMPLATE_PATH = '.backout/templates/ondat-downgrade-daemonset.yaml';
export const TEMPLATE_FILE_NAME = 'ondat-downgrade-daemonset.yaml';

/** Read-only documents of this extension: the built-in template and rendered previews. */
export const TEMPLATE_SCHEME = 'backout-template';
export const BUILT_IN_TEMPLATE_URI = vscode.Uri.from({ scheme: TEMPLATE_SCHEME, path: `/built-in/${TEMPLATE_FILE_NAME}` });

export function workspaceTemplateUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, ...WORKSPACE_TEMPLATE_PATH.split('/')) : undefined;
}

/** A document the template features apply to: the workspace copy of any folder, or the built-in one. */
export function isTemplateUri(uri: vscode.Uri): boolean {
  if (uri.toString() === BUILT_IN_TEMPLATE_URI.toString()) return true;
  return uri.scheme === 'file' && uri.path.endsWith(`/${WORKSPACE_TEMPLATE_PATH}`);
}

/** "ondat-downgrade-daemonset.yaml" relative to its folder, or the built-in's name, for messages. */
export function describeTemplate(uri: vscode.Uri): string {
  if (uri.toString() === BUILT_IN_TEMPLATE_URI.toString()) return 'built-in template';
  return vscode.workspace.asRelativePath(uri, false);
}
