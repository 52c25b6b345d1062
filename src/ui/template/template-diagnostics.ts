// Diagnostics as the user types in a template: the Ondat validator's findings (invalid YAML, unknown parameters and
// placeholders, bad values) become editor diagnostics, recomputed shortly after the last keystroke rather than on
// every one.
import * as vscode from 'vscode';
import { validateTemplate, type TemplateDiagnostic } from '../../procedures/ondat';
import { Disposable } from '../disposable';
import { diagnosticText } from './diagnostic-text';
import { isTemplateUri } from './template-files';

export const DIAGNOSTIC_SOURCE = 'Backout template';
const DEBOUNCE_MS = 250;

function toRange(doc: vscode.TextDocument, r: TemplateDiagnostic['range']): vscode.Range {
  const start = doc.validatePosition(new vscode.Position(r.start.line, r.start.character));
  let end = doc.validatePosition(new vscode.Position(r.end.line, r.end.character));
  // A node's range ends after its trailing newline; underline up to the end of the line it starts on instead, and
  // give an empty range a width so the squiggle can be seen.
  if (end.line > start.line) end = doc.lineAt(start.line).range.end;
  if (end.isEqual(start)) end = doc.lineAt(start.line).range.end;
  return new vscode.Range(start, end);
}

export function toDiagnostic(doc: vscode.TextDocument, d: TemplateDiagnostic): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(
    toRange(doc, d.range),
    diagnosticText(d),
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = DIAGNOSTIC_SOURCE;
  if (d.parameter) diagnostic.code = d.parameter;
  return diagnostic;
}

export class TemplateDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('backout-template'));
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly validated = this.register(new vscode.EventEmitter<vscode.TextDocument>());
  /** Fired after a template's diagnostics were recomputed (previews re-render on it). */
  readonly onDidValidate = this.validated.event;

  constructor() {
    super();
    this.register({
      dispose: () => {
        this.pending.forEach((t) => clearTimeout(t));
        this.pending.clear();
      },
    });
    this.register(vscode.workspace.onDidOpenTextDocument((doc) => this.validate(doc)));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    // Saving changes no text but what runs use; the preview says whether it shows unsaved edits.
    this.register(vscode.workspace.onDidSaveTextDocument((doc) => this.validate(doc)));
    this.register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.cancel(doc.uri);
        this.collection.delete(doc.uri);
      }),
    );
    for (const doc of vscode.workspace.textDocuments) this.validate(doc);
  }

  private cancel(uri: vscode.Uri): void {
    const key = uri.toString();
    const timer = this.pending.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.pending.delete(key);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isTemplateUri(doc.uri)) return;
    this.cancel(doc.uri);
    this.pending.set(
      doc.uri.toString(),
      setTimeout(() => {
        this.pending.delete(doc.uri.toString());
        this.validate(doc);
      }, DEBOUNCE_MS),
    );
  }

  /** Recomputes a template's diagnostics now; other documents are left alone. */
  validate(doc: vscode.TextDocument): void {
    if (!isTemplateUri(doc.uri) || doc.isClosed) return;
    this.collection.set(doc.uri, validateTemplate(doc.getText()).map((d) => toDiagnostic(doc, d)));
    this.validated.fire(doc);
  }
}
