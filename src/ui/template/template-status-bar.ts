// A status bar item beside a template in the editor that says whether runs use it, and why not when they do not
// (an untrusted workspace, or a copy that is not the first folder's).
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import { UNTRUSTED_FALLBACK } from './template-choice';
import { BUILT_IN_TEMPLATE_URI, isTemplateUri, workspaceTemplateUri } from './template-files';

export class TemplateStatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('backout.template', vscode.StatusBarAlignment.Left, 50));

  constructor() {
    super();
    this.item.name = 'Backout Template';
    this.register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.update()));
    this.update();
  }

  update(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri || !isTemplateUri(uri)) {
      this.item.hide();
      return;
    }
    this.item.backgroundColor = undefined;
    this.item.command = undefined;
    if (uri.toString() === BUILT_IN_TEMPLATE_URI.toString()) {
      this.item.text = '$(lock) Built-in template';
      this.item.tooltip = 'The built-in Ondat downgrade template, read-only. Run "Backout: Edit Downgrade Script Template" in a folder to edit a copy.';
    } else if (uri.toString() !== workspaceTemplateUri()?.toString()) {
      this.item.text = '$(info) Template not used by runs';
      this.item.tooltip = 'Runs use the template of the first workspace folder only.';
    } else if (!vscode.workspace.isTrusted) {
      this.item.text = '$(warning) Runs use the built-in template';
      this.item.tooltip = `${UNTRUSTED_FALLBACK}. Click to manage workspace trust.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.command = 'workbench.trust.manage';
    } else {
      this.item.text = '$(pass) Runs use this template';
      this.item.tooltip = 'Start Rollback and Dry Run of the Ondat downgrade use this file as saved. Click to preview the rendered DaemonSet.';
      this.item.command = 'backout.previewTemplate';
    }
    this.item.show();
  }
}
