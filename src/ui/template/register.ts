// Inline template editing, put together: the commands, diagnostics as the user types, live previews and the status
// bar item. activate.ts adds what this returns to the extension's subscriptions.
import * as vscode from 'vscode';
import type { ErrorReports } from '../error-reports';
import { editTemplate } from './edit-template';
import { exportDowngradeScript } from './export-downgrade-script';
import { TemplatePreview } from './preview-template';
import { TemplateDiagnostics } from './template-diagnostics';
import { TemplateDocuments } from './template-documents';
import { TEMPLATE_SCHEME } from './template-files';
import { TemplateStatusBar } from './template-status-bar';

export function registerTemplateFeatures(log: vscode.LogOutputChannel, errors: ErrorReports): vscode.Disposable[] {
  const documents = new TemplateDocuments();
  const diagnostics = new TemplateDiagnostics();
  const preview = new TemplatePreview(documents, diagnostics);
  const report = (what: string) => (err: unknown) => {
    errors.show(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  };
  return [
    documents,
    vscode.workspace.registerTextDocumentContentProvider(TEMPLATE_SCHEME, documents),
    diagnostics,
    preview,
    new TemplateStatusBar(),
    vscode.commands.registerCommand('backout.editTemplate', () => editTemplate(log).catch(report('could not open the template'))),
    vscode.commands.registerCommand('backout.previewTemplate', (arg?: unknown) => preview.show(arg).catch(report('could not preview the template'))),
    vscode.commands.registerCommand('backout.exportDowngradeScript', (arg?: unknown) => exportDowngradeScript(arg, log).catch(report('could not export the script'))),
  ];
}
