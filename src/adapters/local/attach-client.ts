// The attaching side of a run host, shared by `backout attach` and VS Code: it answers the questions the run host
// writes into the run folder (a step's gate, "what happened to this step") by writing an answer file, and those it
// asks over the run's socket (secrets, an unknown host key) over that socket. Each answer names who gave it and
// through what; the run host checks it against its question and journals the author.
import type { FolderQuestion } from '../../core/control';
import { RunControlFiles } from './run-control';
import { RunSocketClient, socketEndpoint, type SocketQuestion } from './run-socket';

export interface AttachAnswerer {
  /** "user@host" of the person answering. */
  by: string;
  /** The channel, recorded with each answer ("vscode", "backout attach (terminal)"). */
  via: string;
  /** Asks a run-folder question; undefined leaves it unanswered. `signal` aborts when the question goes away. */
  folder(question: FolderQuestion, signal: AbortSignal): Promise<string | undefined>;
  /** Asks a socket question; undefined declines it. */
  socket(question: SocketQuestion, signal: AbortSignal): Promise<string | undefined>;
  /** The run host refused an answer (told to the person, who is asked again). */
  refused?(title: string, problem: string): void;
}

export class AttachClient {
  private readonly control: RunControlFiles;
  private current: { id: string; controller: AbortController } | undefined;
  private readonly seen = new Set<string>();
  private client: RunSocketClient | undefined;
  private connecting = false;
  private endpoint: string | undefined;
  private closed = false;

  constructor(
    private readonly runId: string,
    private readonly location: string,
    private readonly answerer: AttachAnswerer,
  ) {
    this.control = new RunControlFiles(location);
  }

  /** Writes an answer to a run-folder question (the one way answers reach a run host through its folder). */
  static answer(control: RunControlFiles, question: FolderQuestion, value: string, who: { by: string; via: string }): void {
    control.answer({
      questionId: question.id,
      runId: question.runId,
      ...(question.step !== undefined ? { step: question.step } : {}),
      ...(question.instance !== undefined ? { instance: question.instance } : {}),
      value,
      ...who,
    });
  }

  /** One look at the run folder: a new question is asked, one that went away is withdrawn; the socket is (re)joined. */
  async poll(): Promise<void> {
    if (this.closed) return;
    this.joinSocket();
    const question = this.control.question();
    if (this.current && question?.id !== this.current.id) {
      this.current.controller.abort(new Error('the question was answered elsewhere or withdrawn'));
      this.current = undefined;
    }
    if (!question || question.runId !== this.runId || this.seen.has(question.id)) return;
    this.seen.add(question.id);
    const controller = new AbortController();
    this.current = { id: question.id, controller };
    try {
      const value = await this.answerer.folder(question, controller.signal);
      if (value !== undefined && !controller.signal.aborted && !this.closed) AttachClient.answer(this.control, question, value, this.answerer);
    } finally {
      if (this.current?.id === question.id) this.current = undefined;
    }
  }

  /** Joins the run host's socket when one is named and not joined yet (a restarted host names a new one). */
  private joinSocket(): void {
    const endpoint = socketEndpoint(this.location);
    if (this.connecting || !endpoint || (this.client && endpoint === this.endpoint)) return;
    this.client?.close();
    this.client = undefined;
    this.connecting = true;
    void RunSocketClient.connect(this.location, {
      by: this.answerer.by,
      via: this.answerer.via,
      answer: (q, signal) => this.answerer.socket(q, signal),
      refused: (q, problem) => this.answerer.refused?.(q.title, problem),
    })
      .then((client) => {
        if (this.closed) return client?.close();
        if (!client) return;
        this.client = client;
        this.endpoint = endpoint;
        void client.closed.then(() => {
          if (this.client === client) this.client = undefined;
        });
      })
      .finally(() => {
        this.connecting = false;
      });
  }

  close(): void {
    this.closed = true;
    this.current?.controller.abort(new Error('detached'));
    this.client?.close();
  }
}
