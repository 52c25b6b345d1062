// Which template a run uses: the workspace's edited copy only when the workspace is trusted (a cloned repository must
// not decide what runs on a cluster), otherwise the built-in one, with the reason the user is told. Pure, so the
// decision is tested without VS Code.

export type TemplateSource = 'workspace' | 'built-in';

export interface ResolvedTemplate {
  text: string;
  source: TemplateSource;
  /** Where the text came from, in words (a path, or "built-in template"), for messages and the exported script. */
  origin: string;
  /** Set when a workspace copy exists but is not used, saying why. */
  fallbackReason?: string;
}

export interface TemplateCandidates {
  trusted: boolean;
  builtIn: string;
  /** The workspace copy, when the first workspace folder has one. */
  workspaceCopy?: { text: string; path: string };
}

export const UNTRUSTED_FALLBACK = 'workspace not trusted: runs use the built-in template';

export function chooseTemplate(c: TemplateCandidates): ResolvedTemplate {
  if (!c.workspaceCopy) return { text: c.builtIn, source: 'built-in', origin: 'built-in template' };
  if (!c.trusted) {
    return {
      text: c.builtIn,
      source: 'built-in',
      origin: 'built-in template',
      fallbackReason: `${UNTRUSTED_FALLBACK}, not ${c.workspaceCopy.path}. Trust the workspace to run with your edited copy.`,
    };
  }
  return { text: c.workspaceCopy.text, source: 'workspace', origin: c.workspaceCopy.path };
}
