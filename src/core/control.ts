// Requests that reach a run host through its run folder: a cancel, and answers to the questions it asks when no
// terminal is there (the terminal went away, or the run was started detached). Whoever writes them (`backout
// attach`, `backout cancel`, VS Code) is not trusted: the run host checks each against what it asked and records
// who answered. Secrets never travel this way.

export interface CancelRequest {
  runId: string;
  /** "user@host" of whoever asked. */
  by: string;
  /** The channel, e.g. "backout cancel" or "VS Code". */
  via: string;
  at: string;
}

export type QuestionKind = 'confirm' | 'typeToConfirm' | 'pick';

/** A question the run host waits on, written into the run folder for whoever attaches. */
export interface FolderQuestion {
  /** Random per question: an answer to an older question is not taken for this one. */
  id: string;
  runId: string;
  kind: QuestionKind;
  title: string;
  target?: string;
  detail?: string;
  step?: string;
  instance?: string;
  /** typeToConfirm: the name that must be typed. */
  expected?: string;
  /** pick: the values that may be chosen. */
  options?: Array<{ value: string; label: string; description?: string }>;
  askedAt: string;
}

export interface FolderAnswer {
  questionId: string;
  runId: string;
  step?: string;
  instance?: string;
  /** confirm: "yes" | "no"; typeToConfirm: the text typed; pick: the value chosen ("" dismisses). */
  value: string;
  by: string;
  via: string;
}

/** Why an answer is not accepted for the question, or undefined when it is. */
export function answerProblem(q: FolderQuestion, a: FolderAnswer): string | undefined {
  if (a.runId !== q.runId) return `it is for run ${a.runId}, not ${q.runId}`;
  if (a.questionId !== q.id) return 'it answers another question (an older one, or one asked by another session)';
  if ((a.step ?? '') !== (q.step ?? '') || (a.instance ?? '') !== (q.instance ?? '')) {
    return `it names step ${a.step ?? '-'} / ${a.instance ?? '-'}, but the question is about ${q.step ?? '-'} / ${q.instance ?? '-'}`;
  }
  if (typeof a.by !== 'string' || a.by === '') return 'it does not say who answered';
  if (q.kind === 'confirm' && a.value !== 'yes' && a.value !== 'no') return 'a confirmation is answered "yes" or "no"';
  if (q.kind === 'pick' && a.value !== '' && !(q.options ?? []).some((o) => o.value === a.value)) return `"${a.value}" is not one of the choices`;
  return undefined;
}

export function isCancelRequest(v: unknown): v is CancelRequest {
  const o = v as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && typeof o.runId === 'string' && typeof o.by === 'string' && typeof o.via === 'string' && typeof o.at === 'string';
}

export function isFolderQuestion(v: unknown): v is FolderQuestion {
  const o = v as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && typeof o.id === 'string' && typeof o.runId === 'string' && (o.kind === 'confirm' || o.kind === 'typeToConfirm' || o.kind === 'pick') && typeof o.title === 'string';
}

export function isFolderAnswer(v: unknown): v is FolderAnswer {
  const o = v as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && typeof o.questionId === 'string' && typeof o.runId === 'string' && typeof o.value === 'string' && typeof o.by === 'string' && typeof o.via === 'string';
}
