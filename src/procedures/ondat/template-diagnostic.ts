// Problems found in a template, positioned like editor diagnostics (0-based lines and characters) so the editor can
// underline them as the user types; the CLI prints them as "line N, column M".

export interface TemplatePosition {
  /** 0-based line. */
  line: number;
  /** 0-based character in the line. */
  character: number;
}

export interface TemplateDiagnostic {
  severity: 'error' | 'warning';
  message: string;
  range: { start: TemplatePosition; end: TemplatePosition };
  /** The template parameter the problem is about, when there is one. */
  parameter?: string;
}

export const NO_RANGE: TemplateDiagnostic['range'] = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** "line 12, column 5: parameter image: ..." — 1-based, as people count. */
export function formatDiagnostic(d: TemplateDiagnostic): string {
  const where = `line ${d.range.start.line + 1}, column ${d.range.start.character + 1}`;
  return `${where}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.parameter ? `parameter ${d.parameter}: ` : ''}${d.message}`;
}
