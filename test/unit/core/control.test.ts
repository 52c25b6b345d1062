// Answers that reach a run host through its run folder are checked against the question it asked (issue 13): an
// answer for another run, an older question, another step or instance, or a choice not offered is refused.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FolderPrompter } from '../../../src/adapters/local/folder-prompter';
import { RunControlFiles } from '../../../src/adapters/local/run-control';
import { systemClock } from '../../../src/adapters/local/system';
import { answerProblem, type FolderAnswer, type FolderQuestion } from '../../../src/core/control';

const question: FolderQuestion = { id: 'q1', runId: 'run-1', kind: 'pick', title: 'What happened?', step: 'uninstall', instance: 'lab', options: [{ value: 'rerun', label: 'Run it again' }], askedAt: '2026-12-07T10:00:00Z' };
const answer: FolderAnswer = { questionId: 'q1', runId: 'run-1', step: 'uninstall', instance: 'lab', value: 'rerun', by: 'op@box', via: 'backout attach (terminal)' };

describe('run folder answers', () => {
  it('accepts the answer to the question asked', () => {
    assert.equal(answerProblem(question, answer), undefined);
  });

  for (const [what, bad, why] of [
    ['another run', { runId: 'run-2' }, /for run run-2/],
    ['an older question', { questionId: 'q0' }, /another question/],
    ['another step', { step: 'install' }, /names step install/],
    ['another instance', { instance: 'node-b' }, /\/ node-b/],
    ['a choice not offered', { value: 'completed' }, /not one of the choices/],
    ['nobody', { by: '' }, /who answered/],
  ] as const) {
    it(`refuses an answer for ${what}`, () => {
      assert.match(answerProblem(question, { ...answer, ...bad }) ?? '', why);
    });
  }

  it('waits for a valid answer, refuses the others, and reports who answered', async () => {
    const control = new RunControlFiles(fs.mkdtempSync(path.join(os.tmpdir(), 'backout-control-')));
    const notices: string[] = [];
    const prompter = new FolderPrompter({ runId: 'run-1', control, clock: systemClock, notice: (m) => notices.push(m), pollMs: 5 });
    const asked = prompter.confirm({ title: 'Destructive step: uninstall', target: 'lab', step: 'uninstall', instance: 'lab' });
    for (let i = 0; i < 200 && !control.question(); i++) await new Promise((r) => setTimeout(r, 5));
    const q = control.question() as FolderQuestion;
    assert.equal(q.kind, 'confirm');
    control.answer({ questionId: q.id, runId: 'run-1', step: 'install', instance: 'lab', value: 'yes', by: 'mallory@box', via: 'forged' });
    for (let i = 0; i < 200 && !notices.some((n) => /Refused/.test(n)); i++) await new Promise((r) => setTimeout(r, 5));
    control.answer({ questionId: q.id, runId: 'run-1', step: 'uninstall', instance: 'lab', value: 'yes', by: 'op@box', via: 'backout attach (terminal)' });
    assert.equal(await asked, true);
    assert.equal(prompter.answeredBy, 'op@box');
    assert.match(notices.join('\n'), /Refused an answer from mallory@box \(forged\): it names step install/);
    assert.equal(control.question(), undefined, 'the question is withdrawn once answered');
  });

  it('never takes a secret through the run folder', async () => {
    const control = new RunControlFiles(fs.mkdtempSync(path.join(os.tmpdir(), 'backout-control-')));
    const prompter = new FolderPrompter({ runId: 'run-1', control, clock: systemClock, notice: () => undefined });
    assert.equal(await prompter.askSecret({ title: 'Passphrase', prompt: 'key' }), undefined);
    assert.equal(control.question(), undefined);
  });
});
