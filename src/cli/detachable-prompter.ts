// The CLI run host's Prompter: the terminal (and the flags) while there is one; once the terminal goes away
// (SIGHUP) the flags still answer what they answer, and every other question goes to the run folder, where
// `backout attach` (or VS Code) answers it. A question pending on the terminal when it goes away is asked again
// there rather than taken as declined.
import { ConfirmationRequiredError } from '../core/errors';
import type { ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../core/ports';
import type { TerminalPrompter } from './terminal-prompter';

export class DetachablePrompter implements Prompter {
  private detachedTo: Prompter | undefined;
  private readonly detaching = new AbortController();
  private last: Prompter;

  /**
   * `terminal`: the prompter with the terminal; `flagsOnly`: the same flags without a terminal; `folder`: made when
   * the terminal goes away; `inputEnded`: whether the terminal's input reached its end (it went away).
   */
  constructor(
    private readonly terminal: TerminalPrompter,
    private readonly flagsOnly: TerminalPrompter,
    private readonly inputEnded: () => boolean,
  ) {
    this.last = terminal;
  }

  get detached(): boolean {
    return this.detachedTo !== undefined;
  }

  /** The terminal went away: from now on questions go to `folder`. */
  detach(folder: Prompter): void {
    if (this.detachedTo) return;
    this.detachedTo = folder;
    this.detaching.abort(new Error('the terminal went away'));
  }

  get via(): string | undefined {
    return this.last.via;
  }

  get answeredBy(): string | undefined {
    return this.last.answeredBy;
  }

  // Delegation typed per method: each question goes to the terminal, or when detached to the flags, then the folder.
  confirm(q: ConfirmRequest): Promise<boolean> {
    return this.route(q, (p, r) => p.confirm(r));
  }

  typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    return this.route(q, (p, r) => p.typeToConfirm(r));
  }

  pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    return this.route(q, (p, r) => p.pick(r));
  }

  /** Secrets: the environment or the terminal only, never the run folder. */
  askSecret(q: SecretRequest): Promise<string | undefined> {
    return (this.detached ? this.flagsOnly : this.terminal).askSecret(q);
  }

  private async route<Q extends { signal?: AbortSignal }, A>(q: Q, ask: (p: Prompter, q: Q) => Promise<A>): Promise<A> {
    if (!this.detachedTo) {
      const signal = q.signal ? AbortSignal.any([q.signal, this.detaching.signal]) : this.detaching.signal;
      try {
        const answer = await ask(this.terminal, { ...q, signal });
        if (!this.inputEnded()) {
          this.last = this.terminal;
          return answer;
        }
        // End of input on a terminal is usually the terminal going away: wait for the SIGHUP that says so.
        await new Promise((r) => setTimeout(r, 500));
        if (!this.detachedTo) {
          this.last = this.terminal;
          return answer;
        }
      } catch (err) {
        if (q.signal?.aborted || !this.detachedTo) throw err;
      }
    }
    try {
      const answer = await ask(this.flagsOnly, q);
      this.last = this.flagsOnly;
      return answer;
    } catch (err) {
      if (!(err instanceof ConfirmationRequiredError)) throw err;
    }
    const folder = this.detachedTo as Prompter;
    const answer = await ask(folder, q);
    this.last = folder;
    return answer;
  }
}
