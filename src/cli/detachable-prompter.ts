// The CLI run host's Prompter: the terminal (and the flags) while there is one; once the terminal goes away
// (SIGHUP), or from the start for a run host started detached (VS Code), the flags still answer what they answer;
// a step's questions (gates, "what happened to this step") go to the run folder and the rest (secrets, an unknown
// host key) to the run's socket, where `backout attach` or VS Code answers them. A question pending on the terminal
// when it goes away is asked again there rather than taken as declined.
import { ConfirmationRequiredError } from '../core/errors';
import type { ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../core/ports';
import type { TerminalPrompter } from './terminal-prompter';

export class DetachablePrompter implements Prompter {
  private detachedTo: Prompter | undefined;
  private socket: Prompter | undefined;
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

  /** The terminal went away: from now on a step's questions go to `folder`, the others to `socket` (if given). */
  detach(folder: Prompter, socket?: Prompter): void {
    if (this.detachedTo) return;
    this.detachedTo = folder;
    this.socket = socket;
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
    // Always the folder when detached: the run host checks the typed name there.
    return this.route({ ...q, gate: true }, (p, r) => p.typeToConfirm(r));
  }

  pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    return this.route(q, (p, r) => p.pick(r));
  }

  /** Secrets: the environment, the terminal, or (detached) the run's socket; never the run folder. */
  async askSecret(q: SecretRequest): Promise<string | undefined> {
    if (!this.detached) return this.terminal.askSecret(q);
    const fromEnv = await this.flagsOnly.askSecret(q);
    if (fromEnv !== undefined || !this.socket) {
      this.last = this.flagsOnly;
      return fromEnv;
    }
    const answer = await this.socket.askSecret(q);
    this.last = this.socket;
    return answer;
  }

  private async route<Q extends { signal?: AbortSignal; step?: string; gate?: boolean }, A>(q: Q, ask: (p: Prompter, q: Q) => Promise<A>): Promise<A> {
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
    // A step's question goes where its answer is checked against the step; a connection's (host key) to the socket.
    const to = q.step === undefined && !q.gate && this.socket ? this.socket : (this.detachedTo as Prompter);
    const answer = await ask(to, q);
    this.last = to;
    return answer;
  }
}
