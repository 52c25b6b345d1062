// The words of an editor diagnostic for a template problem. The validator's messages already say the fix; this makes
// sure each one also names the parameter it is about, since the Problems panel shows the message without its line.
import type { TemplateDiagnostic } from '../../procedures/ondat';

export function diagnosticText(d: TemplateDiagnostic): string {
  if (!d.parameter) return d.message;
  // "image "x" is not pinned…" already starts with the parameter; "unknown parameter "x"…" names it in quotes.
  if (d.message.startsWith(d.parameter) || d.message.includes(`"${d.parameter}"`) || d.message.includes(`\${${d.parameter}}`)) return d.message;
  return `${d.parameter}: ${d.message}`;
}
