// The typed error for a template that cannot be rendered: lists every problem with its line and parameter.
import { BackoutError } from '../../core/errors';
import { formatDiagnostic, type TemplateDiagnostic } from './template-diagnostic';

export class TemplateInvalidError extends BackoutError {
  readonly code = 'ondat-template-invalid';
  constructor(
    readonly templateName: string,
    readonly diagnostics: readonly TemplateDiagnostic[],
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      `The downgrade DaemonSet template (${templateName}) has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n` +
        errors.map((d) => `  ${formatDiagnostic(d)}`).join('\n') +
        '\nFix the template (or the --param values named) and plan again.',
    );
  }
}
