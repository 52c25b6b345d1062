// The CLI in a real pseudo-terminal (util-linux `script`): it asks at the gates and reads the operator's answers.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderArgv } from '../../../src/core/shell-quote';
import { cliEntry, cliEnv, testProcedures } from '../../unit/cli/cli-process';
import { until } from './processes';

interface Session {
  output(): string;
  type(text: string): void;
  done: Promise<number>;
}

function inTerminal(args: string[], env: Record<string, string>): Session {
  const command = renderArgv([process.execPath, cliEntry, ...args]);
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  return {
    output: () => out,
    type: (text) => child.stdin.write(text),
    done: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))),
  };
}

describe('the CLI at a terminal', function () {
  this.timeout(30_000);
  let work: string;
  let runs: string;
  let env: Record<string, string>;

  beforeEach(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-tty-'));
    work = path.join(base, 'work');
    runs = path.join(base, 'runs');
    fs.mkdirSync(work);
    env = { BACKOUT_RUNS_DIR: runs };
  });

  const effects = (): string[] => fs.readFileSync(path.join(work, 'effects.log'), 'utf8').trim().split('\n');
  const journal = (): string => {
    const id = fs.readdirSync(runs).find((n) => /^\d{8}-/.test(n)) as string;
    return fs.readFileSync(path.join(runs, id, 'journal.jsonl'), 'utf8');
  };

  it('does not take a "y" typed before the question was shown as the answer', async () => {
    const s = inTerminal(['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${work}`], env);
    s.type('y');
    await until(() => s.output().includes('Proceed? [y/N]'), 'the question');
    s.type('\n');
    assert.notEqual(await s.done, 0, s.output());
    assert.equal(effects().includes('destroy'), false, 'the type-ahead did not confirm the destructive step');
  });

  it('asks before a destructive step, naming the target, and goes on when the operator types y', async () => {
    const s = inTerminal(['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${work}`], env);
    await until(() => s.output().includes('Proceed? [y/N]'), 'the question');
    assert.match(s.output(), /Destructive step: Destructive append\r?\nTarget: lab lab/);
    assert.equal(effects().includes('destroy'), false, 'nothing destructive before the answer');
    s.type('y\n');
    assert.equal(await s.done, 0, s.output());
    assert.ok(effects().includes('destroy'));
    assert.match(journal(), /"method":"confirm via terminal"/);
  });

  it('stops the run when the operator answers no, leaving the destructive step undone', async () => {
    const s = inTerminal(['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${work}`], env);
    await until(() => s.output().includes('Proceed? [y/N]'), 'the question');
    s.type('n\n');
    assert.equal(await s.done, 6, s.output());
    assert.equal(effects().includes('destroy'), false);
    assert.match(s.output(), /run cancelled — declined by /);
  });

  it('makes the operator type a production target name, and refuses a wrong one', async () => {
    const s = inTerminal(['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${work}`, '--production'], env);
    await until(() => s.output().includes('Type the target name "lab"'), 'the question');
    s.type('y\n');
    assert.equal(await s.done, 6, s.output());
    assert.equal(effects().includes('destroy'), false);
  });

  it('goes on when the production target name is typed exactly', async () => {
    const s = inTerminal(['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${work}`, '--production'], env);
    await until(() => s.output().includes('Type the target name "lab"'), 'the question');
    s.type('lab\n');
    assert.equal(await s.done, 0, s.output());
    assert.match(journal(), /"method":"typed-target-name via terminal"/);
  });

  it('shows the instructions of a manual step and goes on when the operator says it is done', async () => {
    const s = inTerminal(['run', 'test-manual', '--procedures', testProcedures, '-p', `dir=${work}`], env);
    await until(() => s.output().includes('Choice [1-2'), 'the question');
    assert.match(s.output(), /revert vm-1 to snapshot "before-upgrade"/);
    assert.deepEqual(effects(), ['before']);
    s.type('1\n');
    assert.equal(await s.done, 0, s.output());
    assert.deepEqual(effects(), ['before', 'after']);
  });

  it('asks for a secret on resume without echoing it', async () => {
    const canary = 'TTY-CANARY-91b7e0';
    const first = inTerminal(['run', 'test-secret', '--procedures', testProcedures], { ...env, BACKOUT_SECRET_TOKEN: canary });
    assert.equal(await first.done, 1);
    const id = fs.readdirSync(runs).find((n) => /^\d{8}-/.test(n)) as string;
    const s = inTerminal(['resume', id, '--verbose'], env);
    await until(() => s.output().includes('Value (not shown):'), 'the secret prompt');
    s.type(`${canary}\r`);
    assert.equal(await s.done, 1, s.output());
    assert.match(s.output(), /failing with \*\*\*/, 'the resumed step received the secret');
    assert.equal(s.output().includes(canary), false, `the secret was echoed or printed:\n${JSON.stringify(s.output())}`);
  });
});
