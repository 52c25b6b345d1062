// Step logs as read-only editor documents: backout-log:/<run-id>/<step>/<instance>.backout-log, language
// "backout-log" with its own grammar. The content comes from the run folder and follows the run while it executes.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { RunService } from '../runs/run-service';
import type { RunStore } from '../runs/run-store';

export const LOG_SCHEME = 'backout-log';

export interface LogRef {
  runId: string;
  step: string;
  instance: string;
}

export function logUri(ref: LogRef): vscode.Uri {
  const seg = (s: string) => encodeURIComponent(s);
  return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${seg(ref.runId)}/${seg(ref.step)}/${seg(ref.instance)}.backout-log` });
}

export function parseLogUri(uri: vscode.Uri): LogRef | undefined {
  const m = /^\/([^/]+)\/([^/]+)\/([^/]+)\.backout-log$/.exec(uri.path);
  if (!m) return undefined;
  return { runId: decodeURIComponent(m[1] as string), step: decodeURIComponent(m[2] as string), instance: decodeURIComponent(m[3] as string) };
}

export class LogDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: RunStore,
    runs: RunService,
  ) {
    super();
    this.register({ dispose: () => this.pending.forEach((t) => clearTimeout(t)) });
    this.register(
      runs.onDidChange((e) => {
        for (const doc of vscode.workspace.textDocuments) {
          if (doc.uri.scheme !== LOG_SCHEME) continue;
          const ref = parseLogUri(doc.uri);
          if (ref?.runId === e.runId) this.schedule(doc.uri);
        }
      }),
    );
  }

  private schedule(uri: vscode.Uri): void {
    const key = uri.toString();
    if (this.pending.has(key)) return;
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.changed.fire(uri);
      }, 200),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseLogUri(uri);
    if (!ref) return `Not a Backout log: ${uri.toString()}`;
    try {
      const text = await this.store.readLog(ref.runId, ref.step, ref.instance);
      return text ?? `No output yet for step ${ref.step} on ${ref.instance} of run ${ref.runId}.\n`;
    } catch (err) {
      return `Cannot read the log of step ${ref.step} on ${ref.instance} of run ${ref.runId}: ${err instanceof Error ? err.message : String(err)}\n`;
    }
  }

  async open(ref: LogRef): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument(logUri(ref));
    if (doc.languageId !== 'backout-log') await vscode.languages.setTextDocumentLanguage(doc, 'backout-log');
    return vscode.window.showTextDocument(doc, { preview: true });
  }
}
