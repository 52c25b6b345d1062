import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { applyBackspaces, TerminalPrompter } from '../../../src/cli/terminal-prompter';
import { ConfirmationRequiredError } from '../../../src/core/errors';

function terminal(answers: string): { input: PassThrough; output: PassThrough; written: () => string } {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => (text += c.toString()));
  input.end(answers);
  return { input, output, written: () => text };
}

const q = { title: 'Destructive step: Uninstall 2.7.0', target: 'kube-context prod', detail: 'helm uninstall' };

describe('terminal prompter', () => {
  it('confirms on "y" typed at the terminal, showing the target', async () => {
    const t = terminal('y\n');
    const p = new TerminalPrompter({ terminal: t });
    assert.equal(await p.confirm(q), true);
    assert.match(t.written(), /Target: kube-context prod/);
    assert.equal(p.via, 'terminal');
  });

  it('declines on anything but yes, and on end of input', async () => {
    assert.equal(await new TerminalPrompter({ terminal: terminal('sure\n') }).confirm(q), false);
    assert.equal(await new TerminalPrompter({ terminal: terminal('') }).confirm(q), false);
  });

  it('keeps answers typed ahead for the following questions', async () => {
    const p = new TerminalPrompter({ terminal: terminal('y\nn\n') });
    assert.deepEqual([await p.confirm(q), await p.confirm(q)], [true, false]);
  });

  it('confirms non-production steps with --yes without asking', async () => {
    const p = new TerminalPrompter({ yes: true });
    assert.equal(await p.confirm(q), true);
    assert.equal(p.via, '--yes flag');
  });

  it('refuses without a terminal or --yes, saying which flag to pass', async () => {
    await assert.rejects(new TerminalPrompter({}).confirm(q), (e: unknown) => e instanceof ConfirmationRequiredError && /pass --yes/.test(e.message));
  });

  it('requires the exact target name typed for production', async () => {
    const tq = { ...q, expected: 'prod' };
    assert.equal(await new TerminalPrompter({ terminal: terminal('prod\n') }).typeToConfirm(tq), true);
    assert.equal(await new TerminalPrompter({ terminal: terminal('Prod\n') }).typeToConfirm(tq), false);
    assert.equal(await new TerminalPrompter({ terminal: terminal('y\n') }).typeToConfirm(tq), false);
  });

  it('does not let --yes confirm a production target', async () => {
    await assert.rejects(new TerminalPrompter({ yes: true }).typeToConfirm({ ...q, expected: 'prod' }), /--yes is not enough for production/);
  });

  it('confirms production with --confirm-target naming the target, and only that target', async () => {
    const p = new TerminalPrompter({ confirmTarget: 'prod' });
    assert.equal(await p.typeToConfirm({ ...q, expected: 'prod' }), true);
    assert.equal(p.via, '--confirm-target flag');
    await assert.rejects(p.typeToConfirm({ ...q, expected: 'prod-us' }), /does not match the target name "prod-us"/);
  });

  it('answers a resume question from --if-interrupted', async () => {
    const p = new TerminalPrompter({ ifInterrupted: 'completed' });
    const answer = await p.pick({ title: 't', options: [{ value: 'completed', label: 'c' }, { value: 'rerun', label: 'r' }] });
    assert.equal(answer, 'completed');
  });

  it('picks by number at the terminal, asking again after a wrong answer', async () => {
    const t = terminal('9\n2\n');
    const answer = await new TerminalPrompter({ terminal: t }).pick({ title: 'What now?', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] });
    assert.equal(answer, 'b');
    assert.equal(t.written().match(/What now\?/g)?.length, 2);
  });

  it('reads a secret from BACKOUT_SECRET_<NAME> when there is one', async () => {
    const p = new TerminalPrompter({ env: { BACKOUT_SECRET_DB_PASSWORD: 'pw-123' } });
    assert.equal(await p.askSecret({ title: 't', prompt: 'p', name: 'db-password' }), 'pw-123');
  });

  it('turns echo off before it shows the secret prompt, and back on after the answer', async () => {
    const events: string[] = [];
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (raw: boolean) => events.push(raw ? 'raw on' : 'raw off') });
    const output = new PassThrough();
    output.on('data', (c: Buffer) => events.push(`shown ${JSON.stringify(c.toString())}`));
    const answer = new TerminalPrompter({ terminal: { input, output } }).askSecret({ title: 'Admin password', prompt: 'for prod' });
    input.write('s3cret\r');
    assert.equal(await answer, 's3cret');
    assert.deepEqual(events, ['raw on', 'shown "Admin password\\nfor prod\\nValue (not shown): "', 'raw off', 'shown "\\n"']);
  });

  /** A terminal stand-in: isTTY, raw mode recorded, and what is shown. */
  function tty(): { input: PassThrough & { isTTY: true; isRaw: boolean; setRawMode(raw: boolean): void }; output: PassThrough; shown: () => string } {
    const input = Object.assign(new PassThrough(), {
      isTTY: true as const,
      isRaw: false,
      setRawMode(raw: boolean) {
        input.isRaw = raw;
      },
    });
    const output = new PassThrough();
    let text = '';
    output.on('data', (c: Buffer) => (text += c.toString()));
    return { input, output, shown: () => text };
  }

  const shownSoon = async (t: { shown(): string }, what: string): Promise<void> => {
    for (let i = 0; i < 200 && !t.shown().includes(what); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(t.shown().includes(what), `"${what}" was not shown`);
  };

  it('throws away what was typed before a gate question was shown', async () => {
    const t = tty();
    t.input.write('y');
    const answer = new TerminalPrompter({ terminal: t }).confirm(q);
    await shownSoon(t, 'Proceed? [y/N]');
    t.input.write('\r');
    assert.equal(await answer, false, 'the "y" typed ahead did not confirm');
  });

  it('throws away a "1" typed before the host-key question was shown', async () => {
    const t = tty();
    t.input.write('1\r');
    const picked = new TerminalPrompter({ terminal: t }).pick({ title: 'Unknown host key for Agent dma-01', options: [{ value: 'remember', label: 'Trust and remember' }, { value: 'reject', label: 'Do not connect' }] });
    await shownSoon(t, 'Choice [1-2');
    t.input.write('2\r');
    assert.equal(await picked, 'reject');
  });

  it('removes one character per backspace in the hidden prompt', async () => {
    const t = tty();
    const answer = new TerminalPrompter({ terminal: t }).askSecret({ title: 'Admin password', prompt: 'for prod' });
    t.input.write('abc\u007f\u007fd\r');
    assert.equal(await answer, 'ad');
    assert.equal(applyBackspaces('x\b\b\byz\u007f'), 'y', 'backspaces at the start remove nothing');
  });

  it('stops waiting for an answer when cancelled', async () => {
    const input = new PassThrough();
    const c = new AbortController();
    const p = new TerminalPrompter({ terminal: { input, output: new PassThrough() } });
    const asked = p.confirm({ ...q, signal: c.signal });
    c.abort(new Error('cancelled by operator'));
    await assert.rejects(asked, /cancelled by operator/);
  });
});
