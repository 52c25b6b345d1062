// The CLI's Prompter. In a terminal it asks on stderr and reads the answer from stdin; without one it answers only
// what flags allow (--yes for non-production confirmations, --confirm-target NAME for a production target,
// --if-interrupted for steps caught mid-way) and otherwise refuses with a message saying which flag to pass.
import type { Readable } from 'node:stream';
import { ConfirmationRequiredError } from '../core/errors';
import type { ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../core/ports';

export const INTERRUPTED_CHOICES = ['ask', 'completed', 'rerun', 'skip', 'stop'] as const;
export type InterruptedChoice = (typeof INTERRUPTED_CHOICES)[number];

export interface TerminalPrompterOptions {
  /** Present when a person is at a terminal. */
  terminal?: { input: Readable; output: NodeJS.WritableStream };
  /** --yes: confirm destructive steps on non-production targets. */
  yes?: boolean;
  /** --confirm-target NAME: the typed confirmation for a production target. */
  confirmTarget?: string;
  /** --if-interrupted: the answer for a step caught mid-way that neither idempotence nor verification settles. */
  ifInterrupted?: InterruptedChoice;
  /** Where secrets come from without a terminal: BACKOUT_SECRET_<NAME>. */
  env?: Readonly<Record<string, string | undefined>>;
}

export function secretEnvName(name: string): string {
  return `BACKOUT_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

export class TerminalPrompter implements Prompter {
  private lastVia = 'terminal';

  constructor(private readonly options: TerminalPrompterOptions) {}

  get via(): string {
    return this.lastVia;
  }

  /**
   * Refuses up front, before anything runs, when a destructive step on this target could not be confirmed: no
   * terminal and no flag that confirms it (or a --confirm-target naming another target).
   */
  assertCanConfirm(target: { name: string; production: boolean; label: string }, step: string): void {
    if (target.production) {
      if (this.options.confirmTarget !== undefined && this.options.confirmTarget !== target.name) {
        throw new ConfirmationRequiredError(target.label, step, `--confirm-target "${this.options.confirmTarget}" does not match the target name "${target.name}".`);
      }
      if (this.options.confirmTarget === undefined && !this.options.terminal) {
        throw new ConfirmationRequiredError(
          target.label,
          step,
          `the target is production, so its name must be typed, and there is no terminal. Pass --confirm-target ${target.name} (--yes is not enough for production).`,
        );
      }
    } else if (!this.options.yes && !this.options.terminal) {
      throw new ConfirmationRequiredError(target.label, step, 'it is destructive and there is no terminal to ask in. Run in a terminal, or pass --yes (non-production targets only).');
    }
  }

  /** Manual steps are carried out by a person, who says when they are done: that needs a terminal. */
  assertOperatorPresent(target: string, step: string): void {
    if (!this.options.terminal) {
      throw new ConfirmationRequiredError(target, step, 'a person must carry it out and say when it is done, and there is no terminal. Run backout in a terminal.');
    }
  }

  async confirm(q: ConfirmRequest): Promise<boolean> {
    if (this.options.yes) {
      this.lastVia = '--yes flag';
      return true;
    }
    if (!this.options.terminal) {
      throw new ConfirmationRequiredError(
        q.target,
        q.title,
        'there is no terminal to ask in. Run in a terminal, or pass --yes to confirm destructive steps on this non-production target.',
      );
    }
    const answer = await this.ask(`\n${q.title}\nTarget: ${q.target}\n${q.detail ?? ''}\nProceed? [y/N] `, q.signal);
    this.lastVia = 'terminal';
    return /^(y|yes)$/i.test(answer.trim());
  }

  async typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    if (this.options.confirmTarget !== undefined) {
      if (this.options.confirmTarget !== q.expected) {
        throw new ConfirmationRequiredError(
          q.target,
          q.title,
          `--confirm-target "${this.options.confirmTarget}" does not match the target name "${q.expected}". Pass --confirm-target ${q.expected} to confirm.`,
        );
      }
      this.lastVia = '--confirm-target flag';
      return true;
    }
    if (!this.options.terminal) {
      throw new ConfirmationRequiredError(
        q.target,
        q.title,
        `the target is production, so its name must be typed, and there is no terminal to type it in. Pass --confirm-target ${q.expected} (--yes is not enough for production).`,
      );
    }
    const answer = await this.ask(
      `\n${q.title}\nTarget: ${q.target} (PRODUCTION)\n${q.detail ?? ''}\nType the target name "${q.expected}" to proceed, anything else to stop: `,
      q.signal,
    );
    this.lastVia = 'terminal';
    return answer.trim() === q.expected;
  }

  async askSecret(q: SecretRequest): Promise<string | undefined> {
    const env = this.options.env ?? {};
    if (q.name) {
      const fromEnv = env[secretEnvName(q.name)];
      if (fromEnv !== undefined) return fromEnv;
    }
    if (!this.options.terminal) return undefined;
    const answer = await this.ask(`${q.title}\n${q.prompt}\nValue (not shown): `, q.signal, true);
    return answer.length > 0 ? answer : undefined;
  }

  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    const preset = this.options.ifInterrupted;
    if (preset && preset !== 'ask') {
      const match = q.options.find((o) => o.value === preset);
      if (match) {
        this.lastVia = '--if-interrupted flag';
        return match.value;
      }
    }
    if (!this.options.terminal) {
      const values = q.options.map((o) => o.value).join(', ');
      throw new ConfirmationRequiredError(
        '(this run)',
        q.title,
        `an answer is needed (${values}) and there is no terminal to ask in. Run in a terminal` +
          (q.options.some((o) => o.value === 'rerun') ? ', or pass --if-interrupted completed|rerun|skip|stop.' : '.'),
      );
    }
    const lines = q.options.map((o, i) => `  ${i + 1}) ${o.label}${o.description ? ` — ${o.description}` : ''}`);
    for (;;) {
      const answer = (await this.ask(`\n${q.title}\n${q.detail ?? ''}\n${lines.join('\n')}\nChoice [1-${q.options.length}, empty to dismiss]: `, q.signal)).trim();
      if (answer === '') return undefined;
      const n = Number(answer);
      const byNumber = Number.isInteger(n) ? q.options[n - 1] : undefined;
      const chosen = byNumber ?? q.options.find((o) => o.value === answer);
      if (chosen) {
        this.lastVia = 'terminal';
        return chosen.value;
      }
    }
  }

  private reader: LineReader | undefined;

  /**
   * One line from the terminal; rejects with the signal's reason when aborted. A gate or host-key question first
   * throws away what was typed before it was shown (a `1` or `y` typed ahead must not answer a question not yet read).
   */
  private async ask(question: string, signal: AbortSignal | undefined, hidden = false, flush = !hidden): Promise<string> {
    const terminal = this.options.terminal as NonNullable<TerminalPrompterOptions['terminal']>;
    this.reader ??= new LineReader(terminal.input);
    if (flush) await this.reader.flush();
    // Echo goes off before the question is shown (as getpass does): a secret typed the moment the prompt appears
    // would otherwise be echoed while the terminal mode is still changing.
    const answer = this.reader.next(signal, hidden);
    terminal.output.write(question);
    return answer.then((line) => {
      if (hidden) terminal.output.write('\n');
      return line;
    });
  }
}

/** How long a flush listens for type-ahead: what was typed before arrives at the first read, within milliseconds. */
const FLUSH_MS = 50;

/** A line as typed in raw mode: each backspace (BS or DEL) removes the character before it, one per keypress. */
export function applyBackspaces(line: string): string {
  const out: string[] = [];
  for (const ch of line) {
    if (ch === '\b' || ch === '\u007f') out.pop();
    else out.push(ch);
  }
  return out.join('');
}

/**
 * Reads lines from the input one question at a time, keeping what arrives early (piped answers) for the next
 * question, and leaving the input paused in between so the process can exit.
 */
class LineReader {
  private buffer = '';
  private ended = false;
  private waiter: ((line: string) => void) | undefined;

  constructor(private readonly input: Readable) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
    input.on('end', () => {
      this.ended = true;
      this.deliver();
    });
    input.pause();
  }

  /**
   * Discards type-ahead. Only at a terminal: piped answers are meant for the questions in order. Raw mode for a
   * moment makes a line typed but not yet ended readable too, so it is discarded as well (the terminal's own
   * tcflush is not reachable from Node).
   */
  async flush(): Promise<void> {
    const tty = this.input as Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?(raw: boolean): void };
    if (tty.isTTY !== true) return;
    const raw = tty.isRaw !== true && typeof tty.setRawMode === 'function';
    if (raw) tty.setRawMode?.(true);
    this.input.resume();
    await new Promise((r) => setTimeout(r, FLUSH_MS));
    this.input.pause();
    if (raw) tty.setRawMode?.(false);
    const typed = this.buffer;
    this.buffer = '';
    // In raw mode Ctrl-C is a character, not a signal: one typed during the flush still interrupts.
    if (typed.includes('\u0003')) throw new Error('interrupted at the prompt (Ctrl-C)');
  }

  next(signal: AbortSignal | undefined, hidden: boolean): Promise<string> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const tty = this.input as Readable & { isTTY?: boolean; setRawMode?(raw: boolean): void };
    // Raw mode keeps the terminal from echoing a secret as it is typed.
    const raw = hidden && tty.isTTY === true && typeof tty.setRawMode === 'function';
    if (raw) tty.setRawMode?.(true);
    return new Promise<string>((resolve, reject) => {
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
        if (raw) tty.setRawMode?.(false);
        this.input.pause();
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = (line) => {
        done();
        if (line.includes('\u0003')) reject(new Error('interrupted at the prompt (Ctrl-C)'));
        else resolve(line);
      };
      this.input.resume();
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiter) return;
    const m = /\r\n|\n|\r|\u0003/.exec(this.buffer);
    if (m) {
      const line = this.buffer.slice(0, m.index) + (m[0] === '\u0003' ? '\u0003' : '');
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.waiter(applyBackspaces(line));
    } else if (this.ended) {
      const rest = this.buffer;
      this.buffer = '';
      // End of input (Ctrl-D, or piped answers used up) answers with what is left: usually "", meaning no.
      this.waiter(rest);
    }
  }
}
