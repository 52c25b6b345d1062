// The read-only documents of the template features, served from memory: the built-in template and one rendered
// preview per template. A preview is re-rendered while its template is edited, so it always shows what would be sent.
import * as vscode from 'vscode';
import { DEFAULT_TEMPLATE } from '../../procedures/ondat';
import { Disposable } from '../disposable';
import { BUILT_IN_TEMPLATE_URI, TEMPLATE_SCHEME } from './template-files';

export class TemplateDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this.contents.set(BUILT_IN_TEMPLATE_URI.toString(), DEFAULT_TEMPLATE);
  }

  /** The preview's address for a template: one per template, named so the editor tab says what it is. */
  static previewUri(template: vscode.Uri): vscode.Uri {
    return vscode.Uri.from({ scheme: TEMPLATE_SCHEME, path: '/preview/ondat-downgrade-daemonset.rendered.yaml', query: `of=${encodeURIComponent(template.toString())}` });
  }

  /** The template a preview shows, or undefined when the address is not a preview. */
  static templateOfPreview(uri: vscode.Uri): vscode.Uri | undefined {
    if (uri.scheme !== TEMPLATE_SCHEME || !uri.path.startsWith('/preview/')) return undefined;
    const of = new URLSearchParams(uri.query).get('of');
    return of ? vscode.Uri.parse(of) : undefined;
  }

  hasPreview(template: vscode.Uri): boolean {
    return this.contents.has(TemplateDocuments.previewUri(template).toString());
  }

  setPreview(template: vscode.Uri, text: string): vscode.Uri {
    const uri = TemplateDocuments.previewUri(template);
    const key = uri.toString();
    if (this.contents.get(key) !== text) {
      this.contents.set(key, text);
      this.changed.fire(uri);
    }
    return uri;
  }

  /** A closed preview stops being re-rendered. */
  forget(uri: vscode.Uri): void {
    if (uri.toString() !== BUILT_IN_TEMPLATE_URI.toString()) this.contents.delete(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '# This preview is no longer available: run "Backout: Preview Rendered Template" again.\n';
  }
}
