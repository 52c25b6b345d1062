// Rendering for a run: the template's manifest with every value checked, or a TemplateInvalidError naming each
// problem's line and parameter.
import { analyzeTemplate, type RenderedDowngrade, type TemplateOverrides } from './downgrade-template';
import { TemplateInvalidError } from './template-errors';

export function renderTemplate(text: string, overrides: TemplateOverrides = {}, templateName = 'built-in template'): RenderedDowngrade {
  const analysis = analyzeTemplate(text, overrides);
  if (!analysis.rendered) throw new TemplateInvalidError(templateName, analysis.diagnostics);
  return analysis.rendered;
}
