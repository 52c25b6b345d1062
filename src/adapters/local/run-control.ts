// The run folder's control files: control/cancel.json, control/question.json and control/answer.json. Each is
// written under a temporary name and renamed (a reader never sees half of one), 0600 like the rest of the folder.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCancelRequest, isFolderAnswer, isFolderQuestion, type CancelRequest, type FolderAnswer, type FolderQuestion } from '../../core/control';
import { FILE_MODE, FOLDER_MODE } from './run-folder';

export const CONTROL_DIR = 'control';
const CANCEL = 'cancel.json';
const QUESTION = 'question.json';
const ANSWER = 'answer.json';

export class RunControlFiles {
  readonly folder: string;

  constructor(runLocation: string) {
    this.folder = path.join(runLocation, CONTROL_DIR);
  }

  private write(name: string, value: unknown): void {
    fs.mkdirSync(this.folder, { recursive: true, mode: FOLDER_MODE });
    const tmp = path.join(this.folder, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(value, null, 2), { mode: FILE_MODE });
    fs.renameSync(tmp, path.join(this.folder, name));
  }

  private read(name: string): unknown {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.folder, name), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  private remove(name: string): void {
    fs.rmSync(path.join(this.folder, name), { force: true });
  }

  requestCancel(request: CancelRequest): void {
    this.write(CANCEL, request);
  }

  /** The pending cancel request, removed once read; a file that is not one is removed too (and reported). */
  takeCancelRequest(): CancelRequest | { unreadable: true } | undefined {
    if (!fs.existsSync(path.join(this.folder, CANCEL))) return undefined;
    const v = this.read(CANCEL);
    this.remove(CANCEL);
    return isCancelRequest(v) ? v : { unreadable: true };
  }

  ask(question: FolderQuestion): void {
    this.remove(ANSWER);
    this.write(QUESTION, question);
  }

  question(): FolderQuestion | undefined {
    const v = this.read(QUESTION);
    return isFolderQuestion(v) ? v : undefined;
  }

  /** Withdraws the question (answered, or no longer asked). */
  withdraw(id: string): void {
    if (this.question()?.id === id) this.remove(QUESTION);
  }

  answer(answer: FolderAnswer): void {
    this.write(ANSWER, answer);
  }

  /** The answer written for the current question, removed once read (whether accepted or not). */
  takeAnswer(): FolderAnswer | { unreadable: true } | undefined {
    if (!fs.existsSync(path.join(this.folder, ANSWER))) return undefined;
    const v = this.read(ANSWER);
    this.remove(ANSWER);
    return isFolderAnswer(v) ? v : { unreadable: true };
  }
}
