// Save Parameters…: a run's answers as a parameter file (adapters/local/params-file.ts), never with a secret, by
// default in the workspace's .backout/params/ where Start Rollback offers it. The dialog and the message go through
// a small host (save-parameters-host.ts for VS Code), so the flow is unit-tested without VS Code.
import * as path from 'path';
import { writeParamsFile } from '../../adapters/local/params-file';
import { REDACTED } from '../../core/parameters';
import type { RunChoice } from './run-questions';

export interface SaveParametersHost {
  /** The first workspace folder's path, when a folder is open: its .backout/params/ is the default place. */
  workspaceFolder(): string | undefined;
  /** Asks where to save, starting at `defaultPath`; undefined when the user dismissed the dialog. */
  askFile(defaultPath: string | undefined): Promise<string | undefined>;
  /** Tells the user, without waiting for them. */
  tell(message: string): void;
}

/** The parameters worth saving: no secret, no editor-supplied value (template text), no value equal to its default. */
export function savedParameters(choice: RunChoice, editorSupplied: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const fromEditor = new Set(editorSupplied);
  for (const d of choice.procedure.parameters) {
    const v = choice.params[d.name];
    if (v === undefined || v === REDACTED || d.secret || fromEditor.has(d.name)) continue;
    if (d.default !== undefined && String(d.default) === v) continue;
    out[d.name] = v;
  }
  return out;
}

/** The file name offered: the procedure and its target ("dataminer-downgrade-lab.json"). */
export function defaultParamsFileName(choice: RunChoice): string {
  const target = choice.procedure.targetParameter ? choice.params[choice.procedure.targetParameter.name] : undefined;
  return `${choice.procedure.id}${target ? `-${target}` : ''}.json`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Asks where (default: the workspace's .backout/params/) and writes a parameter file; its path, or undefined. */
export async function saveParameterFile(choice: RunChoice, host: SaveParametersHost, editorSupplied: readonly string[] = []): Promise<string | undefined> {
  const folder = host.workspaceFolder();
  const file = await host.askFile(folder ? path.join(folder, '.backout', 'params', defaultParamsFileName(choice)) : undefined);
  if (!file) return undefined;
  writeParamsFile(file, { procedure: choice.procedure.id, params: savedParameters(choice, editorSupplied) });
  host.tell(`Backout: parameters saved to ${path.basename(file)}. Use them with \`backout plan ${choice.procedure.id} --params-file ${file}\`${folder ? ' or from Start Rollback' : ''}.`);
  return file;
}
