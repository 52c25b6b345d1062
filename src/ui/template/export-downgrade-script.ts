// "Backout: Export Downgrade Script…": the template, rendered with its values, as the corrected bash script for
// kubectl or oc, for teams that must run the downgrade by hand. Opened as an untitled document or saved where the
// user picks.
import * as fs from 'fs/promises';
import * as vscode from 'vscode';
import { loadKube } from '../../adapters/lazy';
import { exportScript, renderTemplate, TemplateInvalidError } from '../../procedures/ondat';
import type { CliTool } from '../../procedures/ondat/template-parameters';
import { kubeconfigSetting } from '../settings';
import { templateForCommand } from './command-template';
import { describeTemplate } from './template-files';

/** What a caller (a test, another command) can decide ahead; the user is asked for the rest. */
export interface ExportRequest {
  template?: vscode.Uri;
  cliTool?: CliTool;
  /** A kubeconfig context to name on every call; '' for the current context when the script runs. */
  context?: string;
  /** 'editor' opens an untitled document; a Uri saves there. */
  destination?: 'editor' | vscode.Uri;
}

function isExportRequest(arg: unknown): arg is ExportRequest {
  return typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) && ('cliTool' in arg || 'destination' in arg || 'template' in arg || 'context' in arg);
}

async function pickCliTool(current: CliTool): Promise<CliTool | undefined> {
  const items: Array<vscode.QuickPickItem & { tool: CliTool }> = [
    { label: 'kubectl', description: current === 'kubectl' ? 'the template\'s cliTool' : '', detail: 'Any Kubernetes cluster', tool: 'kubectl' },
    { label: 'oc', description: current === 'oc' ? 'the template\'s cliTool' : '', detail: 'OpenShift', tool: 'oc' },
  ];
  if (current === 'oc') items.reverse();
  return (await vscode.window.showQuickPick(items, { title: 'Export Downgrade Script (1/3)', placeHolder: 'Which command-line tool does the script use?' }))?.tool;
}

async function pickContext(): Promise<string | undefined> {
  const items: Array<vscode.QuickPickItem & { context: string }> = [
    { label: 'Current context when the script runs', detail: 'The script names no context; it acts on whatever kubeconfig\'s current context is then.', context: '' },
  ];
  try {
    const kube = await loadKube();
    const loaded = kube.loadKubeconfig(kube.kubeconfigFiles({ setting: kubeconfigSetting() }));
    for (const c of loaded.contexts) items.push({ label: c.name, description: c.server ?? '', detail: 'Every call of the script names this context.', context: c.name });
  } catch {
    // No readable kubeconfig here: the script can still be exported for the current context of wherever it runs.
  }
  return (await vscode.window.showQuickPick(items, { title: 'Export Downgrade Script (2/3)', placeHolder: 'Which cluster does the script act on?' }))?.context;
}

async function pickDestination(tool: CliTool): Promise<'editor' | vscode.Uri | undefined> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(file) Open in an Editor', detail: 'An untitled shell script to review, then save or copy.', value: 'editor' as const },
      { label: '$(save) Save to a File…', detail: 'Choose where to write the script.', value: 'file' as const },
    ],
    { title: 'Export Downgrade Script (3/3)', placeHolder: 'Where should the script go?' },
  );
  if (!choice) return undefined;
  if (choice.value === 'editor') return 'editor';
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `ondat-downgrade-database-${tool}.sh`;
  return vscode.window.showSaveDialog({
    title: 'Save the downgrade script',
    filters: { 'Shell script': ['sh'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
  });
}

/** The command: returns the document the script was opened in, or undefined when dismissed or invalid. */
export async function exportDowngradeScript(arg: unknown, log: vscode.LogOutputChannel): Promise<vscode.Uri | undefined> {
  const request: ExportRequest = isExportRequest(arg) ? arg : {};
  const template = await templateForCommand(request.template ?? arg);
  const name = describeTemplate(template.uri);
  let rendered;
  try {
    rendered = renderTemplate(template.getText(), {}, name);
  } catch (err) {
    if (!(err instanceof TemplateInvalidError)) throw err;
    const first = err.message.split('\n').slice(1, 4).map((l) => l.trim()).join('; ');
    void vscode.window.showErrorMessage(`Backout: cannot export a script from ${name}, it has problems: ${first}. Fix them (see the Problems panel) and export again.`);
    return undefined;
  }
  const cliTool = request.cliTool ?? (await pickCliTool(rendered.values.cliTool));
  if (!cliTool) return undefined;
  const context = request.context ?? (await pickContext());
  if (context === undefined) return undefined;
  const destination = request.destination ?? (await pickDestination(cliTool));
  if (!destination) return undefined;

  const script = exportScript(rendered, { cliTool, ...(context ? { context } : {}), source: name });
  if (destination === 'editor') {
    const doc = await vscode.workspace.openTextDocument({ language: 'shellscript', content: script });
    await vscode.window.showTextDocument(doc, { preview: false });
    log.info(`Exported the downgrade script for ${cliTool} from ${name} to an untitled editor.`);
    return doc.uri;
  }
  await vscode.workspace.fs.writeFile(destination, Buffer.from(script, 'utf8'));
  // Executable, like the vendor's script, when it is a local file.
  if (destination.scheme === 'file') await fs.chmod(destination.fsPath, 0o755);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(destination), { preview: false });
  log.info(`Exported the downgrade script for ${cliTool} from ${name} to ${destination.fsPath}.`);
  return destination;
}
