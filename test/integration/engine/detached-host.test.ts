// VS Code runs through a detached run host (issue 13 §2): a run is started through the launcher the extension uses;
// the "window" that started it is killed mid-step (a reload), the run goes on; a new window attaches, answers the
// gate through the run folder, and the run finishes with every effect exactly once. Secret parameters reach the run
// host through a pipe and secrets asked mid-run through its socket: none is in argv, environment or run folder.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AttachClient } from '../../../src/adapters/local/attach-client';
import { launchRunHost, RunHostExitedError } from '../../../src/adapters/local/run-launcher';
import { socketEndpoint } from '../../../src/adapters/local/run-socket';
import { cliEntry, cliEnv, testProcedures } from '../../unit/cli/cli-process';
import { alive, until } from './processes';

interface Scenario {
  runs: string;
  work: string;
  env: NodeJS.ProcessEnv;
}

function scenario(): Scenario {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-detached-'));
  const work = path.join(base, 'work');
  fs.mkdirSync(work);
  return { runs: path.join(base, 'runs'), work, env: cliEnv({ BACKOUT_RUNS_DIR: path.join(base, 'runs') }) };
}

const effects = (s: Scenario): string[] => {
  const f = path.join(s.work, 'effects.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
};
const release = (s: Scenario, names: readonly string[]): void => names.forEach((n) => fs.writeFileSync(path.join(s.work, `release-${n}`), ''));
const ALL = ['prepare', 'verified', 'unverified', 'fan-out-node-a', 'fan-out-node-b', 'fan-out-node-c', 'destroy', 'finish'];

function journal(location: string): Array<Record<string, unknown>> {
  const f = path.join(location, 'journal.jsonl');
  if (!fs.existsSync(f)) return [];
  return fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Every file under a folder, read as text (sockets skipped). */
function folderText(dir: string): string {
  let text = '';
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) text += folderText(p);
    else if (entry.isFile()) text += fs.readFileSync(p, 'utf8');
  }
  return text;
}

/** Polls an async condition every 50 ms (each poll also lets the attach client look at the run folder). */
async function untilAsync(cond: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const node = { program: process.execPath, prefix: [cliEntry] };

describe('a run host started detached, as VS Code starts runs', function () {
  this.timeout(90_000);
  const pids: number[] = [];
  afterEach(() => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already ended.
      }
    }
  });

  it('goes on when the window that started it is killed mid-step; a new window answers its gate; every effect once', async () => {
    const s = scenario();
    const args = ['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${s.work}`, '-p', 'hold=true'];
    const window = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'window.js'), JSON.stringify({ cli: cliEntry, args, cwd: s.work })], { env: s.env, stdio: ['ignore', 'pipe', 'pipe'] });
    pids.push(window.pid as number);
    let said = '';
    window.stdout.setEncoding('utf8').on('data', (c: string) => (said += c));
    await until(() => said.includes('\n'), 'the window to start the run');
    const host = JSON.parse(said.split('\n')[0] as string) as { runId: string; location: string; pid: number };
    pids.push(host.pid);
    release(s, ['prepare']);
    await until(() => effects(s).includes('verified'), 'the "verified" step to be running');
    // The window goes away mid-step, as a reload kills the extension host.
    window.kill('SIGKILL');
    await new Promise((r) => window.once('exit', r));
    assert.ok(alive(host.pid), 'the run host outlives the window');
    release(s, ALL.filter((n) => n !== 'destroy'));
    // The reopened window attaches: the destructive step's gate is in the run folder, answered from here.
    const asked: string[] = [];
    const attach = new AttachClient(host.runId, host.location, {
      by: 'tester@reopened',
      via: 'vscode',
      folder: async (q) => {
        asked.push(`${q.step}/${q.instance}:${q.kind}`);
        release(s, ['destroy']);
        return 'yes';
      },
      socket: async () => undefined,
    });
    try {
      await untilAsync(
        async () => {
          await attach.poll();
          return journal(host.location).some((e) => e.type === 'run-finished');
        },
        'the run to finish',
        60_000,
      );
    } finally {
      attach.close();
    }
    const events = journal(host.location);
    const finished = events.filter((e) => e.type === 'run-finished');
    assert.equal(finished.length, 1, 'finished exactly once');
    assert.equal(finished[0]?.outcome, 'succeeded');
    assert.deepEqual(asked, ['destroy/lab:confirm']);
    for (const name of ALL) assert.deepEqual(effects(s).filter((e) => e === name), [name], `${name} ran once`);
    const confirmed = events.find((e) => e.type === 'step' && e.step === 'destroy' && (e as { confirmation?: unknown }).confirmation);
    assert.match(JSON.stringify(confirmed), /tester@reopened/);
    assert.match(JSON.stringify(confirmed), /vscode/);
    await until(() => !alive(host.pid), 'the run host to exit');
    assert.equal(socketEndpoint(host.location), undefined, 'the socket is gone with its run host');
  });

  it('takes secret parameters through a pipe and a secret asked on resume through its socket; neither reaches the run folder', async () => {
    const s = scenario();
    const token = 'pipe-token-7d1c2e9a';
    const first = await launchRunHost({ command: node, args: ['run', 'test-secret', '--procedures', testProcedures], cwd: s.work, env: s.env, secrets: new Map([['token', token]]) });
    pids.push(first.pid);
    await until(() => journal(first.location).some((e) => e.type === 'run-finished'), 'the first run to end');
    // The procedure's last step fails on purpose; its output named the token, which the run host redacted.
    const log = folderText(first.location);
    assert.ok(log.includes('[REDACTED]') || log.includes('***'), 'the token was used and redacted');
    assert.ok(!log.includes(token), 'the token is in no file of the run folder');

    // Resume: nobody gives the token on the command line; the run host asks over its socket.
    const resumed = await launchRunHost({ command: node, args: ['resume', first.runId, '--yes'], cwd: s.work, env: s.env });
    pids.push(resumed.pid);
    const endpoint = socketEndpoint(resumed.location);
    assert.ok(endpoint, 'the run host names its socket');
    if (process.platform !== 'win32') assert.equal(fs.statSync(endpoint).mode & 0o777, 0o600, 'the socket is owner-only');
    const secretAsked: string[] = [];
    const attach = new AttachClient(resumed.runId, resumed.location, {
      by: 'tester@window',
      via: 'vscode',
      folder: async () => undefined,
      socket: async (q) => {
        secretAsked.push(q.kind === 'secret' ? (q.name ?? '') : q.kind);
        return token;
      },
    });
    try {
      await untilAsync(
        async () => {
          await attach.poll();
          return journal(resumed.location).filter((e) => e.type === 'run-finished').length === 2;
        },
        'the resumed run to end',
        60_000,
      );
    } finally {
      attach.close();
    }
    assert.deepEqual(secretAsked, ['token']);
    assert.ok(!folderText(resumed.location).includes(token), 'the token is in no file of the run folder');
  });

  it('a second resume of a running run is refused by the run host before it owns anything; the first keeps its socket and every effect happens once', async () => {
    const s = scenario();
    const args = ['run', 'test-sequence', '--procedures', testProcedures, '-p', `dir=${s.work}`, '-p', 'hold=true'];
    const first = await launchRunHost({ command: node, args, cwd: s.work, env: s.env });
    pids.push(first.pid);
    const resumeAgain = launchRunHost({ command: node, args: ['resume', first.runId], cwd: s.work, env: s.env });
    await assert.rejects(resumeAgain, (err: unknown) => err instanceof RunHostExitedError && err.code === 3 && /running/i.test(err.message));
    assert.equal(socketEndpoint(first.location) !== undefined, true, 'the first run host keeps its socket');
    release(s, ALL);
    const attach = new AttachClient(first.runId, first.location, { by: 't@w', via: 'vscode', folder: async () => 'yes', socket: async () => undefined });
    try {
      await untilAsync(
        async () => {
          await attach.poll();
          return journal(first.location).some((e) => e.type === 'run-finished');
        },
        'the run to finish',
        60_000,
      );
    } finally {
      attach.close();
    }
    for (const name of ALL) assert.deepEqual(effects(s).filter((e) => e === name), [name], `${name} ran once`);
  });
});
