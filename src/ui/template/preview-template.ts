// "Backout: Preview Rendered Template": the DaemonSet manifest a run would create from the template, read-only and
// beside it. While the template is edited the preview follows; when it becomes invalid the preview lists the problems.
import * as vscode from 'vscode';
import { analyzeTemplate } from '../../procedures/ondat';
import { formatDiagnostic, type TemplateDiagnostic } from '../../procedures/ondat/template-diagnostic';
import { Disposable } from '../disposable';
import { templateForCommand } from './command-template';
import type { TemplateDiagnostics } from './template-diagnostics';
import { TemplateDocuments } from './template-documents';
import { describeTemplate } from './template-files';

function problems(diagnostics: readonly TemplateDiagnostic[]): TemplateDiagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** The preview's text: the manifest as sent, under a header that says where it came from; or the problems. */
export function previewText(template: vscode.Uri, text: string, unsaved = false): { text: string; problems: TemplateDiagnostic[] } {
  const name = describeTemplate(template);
  const analysis = analyzeTemplate(text);
  if (!analysis.rendered) {
    const errors = problems(analysis.diagnostics);
    return {
      text: [`# ${name} has ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing can be rendered until they are fixed:`, ...errors.map((d) => `#   ${formatDiagnostic(d)}`), ''].join('\n'),
      problems: errors,
    };
  }
  const header = [
    `# The DaemonSet a run creates from ${name} (read-only: edit the template; a run's own parameters override its values).`,
    `# Template hash ${analysis.rendered.hash}: a DaemonSet left by an interrupted run with the same hash is adopted, otherwise replaced.`,
    // Runs read the saved file, so a preview of unsaved edits must not pass for what a run would send.
    ...(unsaved ? ['# Includes unsaved changes: save the template for runs to use them.'] : []),
    ...analysis.rendered.warnings.map((d) => `# warning: ${formatDiagnostic(d)}`),
  ];
  return { text: `${header.join('\n')}\n${analysis.rendered.manifest}`, problems: [] };
}

export class TemplatePreview extends Disposable {
  constructor(
    private readonly documents: TemplateDocuments,
    diagnostics: TemplateDiagnostics,
  ) {
    super();
    // Re-rendered after the (debounced) validation, so typing does not render on every keystroke.
    this.register(
      diagnostics.onDidValidate((doc) => {
        if (this.documents.hasPreview(doc.uri)) this.documents.setPreview(doc.uri, previewText(doc.uri, doc.getText(), doc.isDirty).text);
      }),
    );
    this.register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (TemplateDocuments.templateOfPreview(doc.uri)) this.documents.forget(doc.uri);
      }),
    );
  }

  /** The command: returns the preview's address, or undefined when the template has problems (they are shown). */
  async show(arg: unknown): Promise<vscode.Uri | undefined> {
    const template = await templateForCommand(arg);
    const { text, problems } = previewText(template.uri, template.getText(), template.isDirty);
    if (problems.length > 0) {
      const listed = problems.slice(0, 5).map((d) => formatDiagnostic(d)).join('; ');
      const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
      // Not awaited: the command answers at once; the message stays until the user dismisses it.
      void vscode.window
        .showErrorMessage(`Backout: ${describeTemplate(template.uri)} cannot be rendered: ${listed}${more}. Fix them and preview again.`, 'Show Problems')
        .then((choice) => choice === 'Show Problems' && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return undefined;
    }
    const uri = this.documents.setPreview(template.uri, text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    return uri;
  }
}
