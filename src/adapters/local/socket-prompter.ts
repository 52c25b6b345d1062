// The run host's Prompter for questions that are not a step's gate: secrets (a password, a key's passphrase) and the
// connection's questions (an unknown host key). They go over the run's socket to whoever is attached; with nobody
// attached the run waits, and its journal says so. The socket is opened when the first such question comes, or as
// soon as the run folder exists.
import type { ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../../core/ports';
import { RunSocketServer, type SocketAnswer, type SocketQuestionBody } from './run-socket';

export interface SocketPrompterOptions {
  /** The run folder, once it exists. */
  location(): string | undefined;
  notice(message: string): void;
}

export class SocketPrompter implements Prompter {
  private server: Promise<RunSocketServer> | undefined;
  private lastVia = 'run socket';
  private lastBy: string | undefined;

  constructor(private readonly options: SocketPrompterOptions) {}

  get via(): string {
    return this.lastVia;
  }

  get answeredBy(): string | undefined {
    return this.lastBy;
  }

  /** Opens the socket (idempotent); questions asked before the run folder exists cannot be asked here. */
  listen(): Promise<RunSocketServer> {
    if (!this.server) {
      const location = this.options.location();
      if (!location) return Promise.reject(new Error('the run folder does not exist yet: nobody can attach to answer'));
      this.server = RunSocketServer.listen(location, { notice: (m) => this.options.notice(m) });
    }
    return this.server;
  }

  async close(): Promise<void> {
    const server = await this.server?.catch(() => undefined);
    await server?.close();
  }

  private async ask(body: SocketQuestionBody, signal: AbortSignal | undefined): Promise<SocketAnswer> {
    const server = await this.listen();
    const answer = await server.ask(body, signal);
    this.lastBy = answer.by;
    this.lastVia = answer.via;
    return answer;
  }

  async askSecret(q: SecretRequest): Promise<string | undefined> {
    return (await this.ask({ kind: 'secret', title: q.title, prompt: q.prompt, ...(q.name !== undefined ? { name: q.name } : {}) }, q.signal)).value;
  }

  async confirm(q: ConfirmRequest): Promise<boolean> {
    return (await this.ask({ kind: 'confirm', title: q.title, target: q.target, ...(q.detail !== undefined ? { detail: q.detail } : {}) }, q.signal)).value === 'yes';
  }

  /** A typed confirmation is a gate's: it goes through the run folder, where the run host checks the typed name. */
  async typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    throw new Error(`"${q.title}" needs the target's name typed: it is asked through the run folder, not the socket.`);
  }

  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    const answer = await this.ask({ kind: 'pick', title: q.title, ...(q.detail !== undefined ? { detail: q.detail } : {}), options: q.options.map((o) => ({ ...o })) }, q.signal);
    return q.options.find((o) => o.value === answer.value)?.value;
  }
}
