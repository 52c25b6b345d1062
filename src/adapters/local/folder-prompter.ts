// A Prompter for a run host with nobody at its terminal: each question is written into the run folder and the run
// waits (saying so in its journal) until an answer arrives there (`backout attach`, VS Code). Each answer is checked
// against the question (run id, question id, step, instance; the typed name for production) and its author is
// reported for the journal. Secrets are never asked this way: a file or the environment is no place for them.
import { randomBytes } from 'node:crypto';
import { answerProblem, type FolderQuestion } from '../../core/control';
import type { Clock, ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../../core/ports';
import type { RunControlFiles } from './run-control';

export interface FolderPrompterOptions {
  runId: string;
  control: RunControlFiles;
  clock: Clock;
  /** Told once per question that the run is waiting for an answer, and about answers refused. */
  notice(message: string): void;
  pollMs?: number;
}

export class FolderPrompter implements Prompter {
  private lastVia = 'run folder';
  private lastBy: string | undefined;

  constructor(private readonly options: FolderPrompterOptions) {}

  get via(): string {
    return this.lastVia;
  }

  get answeredBy(): string | undefined {
    return this.lastBy;
  }

  async confirm(q: ConfirmRequest): Promise<boolean> {
    return (await this.ask('confirm', q)) === 'yes';
  }

  async typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    return (await this.ask('typeToConfirm', q, { expected: q.expected })) === q.expected;
  }

  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    const value = await this.ask('pick', { ...q, target: '' }, { options: q.options.map((o) => ({ ...o })) });
    const chosen = q.options.find((o) => o.value === value);
    return chosen?.value;
  }

  /** Secrets are not accepted through the run folder. */
  async askSecret(_q: SecretRequest): Promise<string | undefined> {
    return undefined;
  }

  private async ask(kind: FolderQuestion['kind'], q: ConfirmRequest, extra: Pick<FolderQuestion, 'expected' | 'options'> = {}): Promise<string> {
    const { control, clock, runId } = this.options;
    const question: FolderQuestion = {
      id: randomBytes(8).toString('hex'),
      runId,
      kind,
      title: q.title,
      ...(q.target ? { target: q.target } : {}),
      ...(q.detail !== undefined ? { detail: q.detail } : {}),
      ...(q.step !== undefined ? { step: q.step } : {}),
      ...(q.instance !== undefined ? { instance: q.instance } : {}),
      ...extra,
      askedAt: new Date(clock.now()).toISOString(),
    };
    control.ask(question);
    this.options.notice(`Waiting for an answer to "${q.title}": nobody is at this run's terminal. Answer it with \`backout attach ${runId}\` or in VS Code.`);
    try {
      for (;;) {
        const answer = control.takeAnswer();
        if (answer && 'unreadable' in answer) this.options.notice('Ignored an answer file that is not an answer written by Backout.');
        else if (answer) {
          const problem = answerProblem(question, answer);
          if (problem === undefined) {
            this.lastBy = answer.by;
            this.lastVia = answer.via;
            return answer.value;
          }
          this.options.notice(`Refused an answer from ${answer.by} (${answer.via}): ${problem}.`);
        }
        await clock.sleep(this.options.pollMs ?? 200, q.signal);
      }
    } finally {
      control.withdraw(question.id);
    }
  }
}
