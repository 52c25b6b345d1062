// Secret redaction. Every text that leaves the engine for disk (journal lines, log lines, plan.json, the report)
// passes through the run's Redactor, so a secret registered with the run cannot reach any of them.
import { REDACTED } from './parameters';

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers a secret value. Very short values are refused: redacting "1" everywhere would garble every log. */
  add(secret: string): void {
    if (secret.length < 4 || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    // Longest first, so that a secret containing another is replaced whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
      // Secrets also appear JSON-escaped inside journal lines and plan.json.
      const escaped = JSON.stringify(s).slice(1, -1);
      if (escaped !== s && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
    }
    return out;
  }
}
