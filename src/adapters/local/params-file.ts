// Parameter files: the answers of a run kept in a file (`backout plan|run --params-file F`, Save Parameters… in VS
// Code, `.backout/params/*.json|yaml` offered by Start Rollback). JSON or YAML:
//   procedure: dataminer.downgrade      # optional; when given, it must match the procedure planned
//   params: { route: package, to: 10.3.5 }
// Secret parameters are never written to one.
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';

export interface ParamsFile {
  procedure?: string;
  params: Record<string, string>;
}

export class ParamsFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`Parameter file ${file}: ${problem}`);
  }
}

const EXAMPLE = 'write { "procedure": "<id>", "params": { "<name>": "<value>" } } (JSON) or the same in YAML';

/** Parses a parameter file's text; `file` names it in errors. YAML is a superset of JSON, so one parser reads both. */
export function parseParamsFile(text: string, file: string): ParamsFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ParamsFileError(file, `is neither JSON nor YAML (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); ${EXAMPLE}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ParamsFileError(file, `holds no object; ${EXAMPLE}`);
  const { procedure, params, ...rest } = doc as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ParamsFileError(file, `has unknown key(s) ${unknown.join(', ')}: only "procedure" and "params" are read`);
  if (procedure !== undefined && typeof procedure !== 'string') throw new ParamsFileError(file, '"procedure" must be a procedure id (text)');
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new ParamsFileError(file, `needs a "params" object; ${EXAMPLE}`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ParamsFileError(file, `parameter "${name}" must be text, a number or true/false, not ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
    }
    out[name] = String(value);
  }
  return { ...(procedure !== undefined ? { procedure } : {}), params: out };
}

export function readParamsFile(file: string): ParamsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ParamsFileError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path`);
  }
  return parseParamsFile(text, file);
}

/** The text of a parameter file: YAML for .yaml/.yml names, JSON otherwise. */
export function formatParamsFile(file: string, content: ParamsFile): string {
  return /\.ya?ml$/i.test(file) ? stringify(content) : `${JSON.stringify(content, null, 2)}\n`;
}

export function writeParamsFile(file: string, content: ParamsFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, formatParamsFile(file, content));
}
