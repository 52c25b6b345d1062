// Secret redaction. Every text that leaves the engine for disk (journal lines, log lines, plan.json, the report)
// passes through the run's Redactor, so a secret registered with the run cannot reach any of them — as written,
// JSON-escaped, base64 (UTF-8 or UTF-16LE) or URL-encoded (secret-forms.ts), and wrapped over several lines.
import { BackoutError } from './errors';
import { REDACTED } from './parameters';
import { secretForms } from './secret-forms';

/** Secrets shorter than this cannot be redacted without garbling every log ("1" occurs everywhere): they are refused. */
export const MIN_SECRET_LENGTH = 4;

export class UnredactableSecretError extends BackoutError {
  readonly code = 'unredactable-secret';
  /** `what` names the secret, never its value: "Secret parameter \"adminPassword\"". */
  constructor(readonly what: string) {
    super(
      `${what} is shorter than ${MIN_SECRET_LENGTH} characters, so Backout cannot keep it out of logs and reports ` +
        '(it would have to mask every occurrence of so short a text). Use a longer secret.',
    );
  }
}

/** Whether a secret value is long enough to be redacted. */
export function isRedactable(value: string): boolean {
  return [...value].length >= MIN_SECRET_LENGTH;
}

/** Text with line breaks taken out, and where each remaining character was. */
export interface Joined {
  text: string;
  /** For each character of `text`, its index in the original. */
  at: number[];
}

export function joinLines(text: string): Joined {
  let out = '';
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) continue;
    out += text[i];
    at.push(i);
  }
  return { text: out, at };
}

/** Replaces each run of marked characters with the marker; line breaks stay, so a redacted line stays a line. */
export function renderMarked(text: string, marked: (i: number) => boolean): string {
  let out = '';
  let inRun = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch !== '\n' && ch !== '\r' && marked(i)) {
      if (!inRun) out += REDACTED;
      inRun = true;
    } else {
      out += ch;
      inRun = false;
    }
  }
  return out;
}

export class Redactor {
  private readonly secrets: string[] = [];
  private formList: string[] = [];

  /** Throws UnredactableSecretError for a secret too short to redact: such a secret must be refused, not skipped. */
  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string): void {
    if (!isRedactable(secret)) throw new UnredactableSecretError('A secret');
    if (this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    this.formList = [...new Set([...this.formList, ...secretForms(secret)])].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  /** The forms matched, longest first. */
  get forms(): readonly string[] {
    return this.formList;
  }

  /** Marks, in `joined`, every character covered by a form. */
  mark(joined: string, marks: Uint8Array): void {
    for (const form of this.formList) {
      for (let i = joined.indexOf(form); i !== -1; i = joined.indexOf(form, i + 1)) marks.fill(1, i, i + form.length);
    }
  }

  /**
   * Where the earliest possible start of a form not yet complete lies in `joined` (its length when none): the text
   * from there could be completed into a secret by what comes next, so it must not be released yet.
   */
  pendingStart(joined: string): number {
    let start = joined.length;
    for (const form of this.formList) {
      for (let l = Math.min(form.length - 1, joined.length); l > 0; l--) {
        if (joined.length - l >= start) break;
        if (joined.endsWith(form.slice(0, l))) {
          start = joined.length - l;
          break;
        }
      }
    }
    return start;
  }

  redact(text: string): string {
    if (this.formList.length === 0) return text;
    if (!/[\r\n]/.test(text)) {
      // One line (every journal event): mark it directly.
      const marks = new Uint8Array(text.length);
      this.mark(text, marks);
      return marks.includes(1) ? renderMarked(text, (i) => marks[i] === 1) : text;
    }
    const joined = joinLines(text);
    const marks = new Uint8Array(joined.text.length);
    this.mark(joined.text, marks);
    const original = new Uint8Array(text.length);
    joined.at.forEach((pos, j) => (original[pos] = marks[j] as number));
    return renderMarked(text, (i) => original[i] === 1);
  }
}
