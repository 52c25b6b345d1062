// The Ondat procedure and the template API the editor uses (validate as you type, render, export as script).
export { ondatDowngrade } from './procedure';
export { analyzeTemplate, validateTemplate, TEMPLATE_HASH_ANNOTATION } from './downgrade-template';
export type { RenderedDowngrade, TemplateAnalysis, TemplateOverrides } from './downgrade-template';
export { renderTemplate } from './render-template';
export { exportScript } from './export-script';
export type { ExportOptions } from './export-script';
export { DEFAULT_TEMPLATE } from './default-template';
export type { TemplateDiagnostic } from './template-diagnostic';
export { TemplateInvalidError } from './template-errors';
export { OndatRefusedError } from './errors';
