// Crash torture of the shipped DataMiner procedure (route B with the module swap, 10.3.9 → 10.3.5) in the Agent lab:
// inside each destructive step the run host (the real `backout` CLI) is killed with SIGKILL, or the SSH connections to
// the Agent are dropped, at three points — the job started but its program not yet acting, its effect done but the
// program not yet ended, the job's exit code recorded on the Agent — and the run is resumed through the CLI to its
// end. Each scenario walks one Agent through every destructive step, one kill point per step. Asserted for every
// scenario: the Agents' effects records show each destructive effect exactly once, the journal reads whole with a
// job recorded for every effect, the run succeeded and the Agents run 10.3.5 with the swapped modules.
import { mapBounded } from '../../../src/core/pool';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { productCodeFor } from '../../../lab/agent/emulator/dataminer';
import type { Effect } from '../../../lab/agent/emulator/effects';
import { parseJournal, type JournalEvent } from '../../../src/core/journal';
import { remoteJobFiles } from '../../../src/core/remote-job';
import { backout, done, runIdOf, startDms, waitFor, type CliRun, type DmsLab } from '../dataminer/dms-lab';
import { agentLabTally, record } from './tally';

const PKG = 'C:\\Skyline DataMiner\\Upgrades\\DataMiner 10.3.5.dmupgrade';
const STORAGE = 'DataMiner StorageModule';
const API = 'DataMiner UserDefinableApiEndpoint';

/** The destructive steps, in plan order, with the effect each leaves in the Agent's record. */
const DESTRUCTIVE: ReadonlyArray<{ step: string; effect: (e: Effect) => boolean }> = [
  { step: 'upgrade-p1', effect: (e) => e.kind === 'upgrade' },
  { step: 'swap-stop-dataminer', effect: (e) => e.kind === 'stop' },
  { step: 'swap-uninstall-storagemodule', effect: (e) => e.kind === 'uninstall' && e.detail.includes(productCodeFor(STORAGE, '3.0.3')) },
  { step: 'swap-uninstall-udapi', effect: (e) => e.kind === 'uninstall' && e.detail.includes(productCodeFor(API, '2.0.2')) },
  { step: 'swap-install-storagemodule', effect: (e) => e.kind === 'install' && e.detail.startsWith(STORAGE) },
  { step: 'swap-install-udapi', effect: (e) => e.kind === 'install' && e.detail.startsWith(API) },
];

type Interruption = 'SIGKILL' | 'ssh-drop';
type Point = 'job-started' | 'after-effect' | 'exit-recorded';
const POINTS: readonly Point[] = ['job-started', 'after-effect', 'exit-recorded'];
const INTERRUPTIONS: readonly Interruption[] = ['SIGKILL', 'ssh-drop'];
const AGENTS = ['dma-01', 'dma-02'];
/** Programs take this long before and after their effect: the window a kill point lands in. */
const PROGRAM_MS = 1200;
const PARALLEL = 3;

interface Outcome {
  label: string;
  killPoints: number;
  doubles: string[];
  problems: string[];
}

function runArgs(dms: DmsLab): string[] {
  return [
    'run', 'dataminer.downgrade', '--yes',
    '--param', 'route=package', '--param', `agents=${dms.agentsParam}`, '--param', 'to=10.3.5',
    '--param', `packages=agent:${PKG}`, '--param', 'upgradeScope=each-agent',
  ];
}

/** The job of `step` on `agent` that the Agent created last (its id ends with the attempt). */
function lastJob(dms: DmsLab, agent: string, step: string): string | undefined {
  const created = dms.lab.calls(agent).filter((c) => typeof c.wmiCreate === 'string' && c.wmiCreate.includes(`.${step}.${agent}.`));
  const line = created[created.length - 1]?.wmiCreate;
  return typeof line === 'string' ? /\\([^\\"]+)\.ps1/.exec(line)?.[1] : undefined;
}

function statusLines(dms: DmsLab, agent: string, jobId: string): number {
  const text = dms.lab.readFile(agent, remoteJobFiles(jobId).status);
  return text === undefined ? 0 : text.split(/\r?\n/).filter((l) => l.trim() !== '').length;
}

async function ended(run: CliRun): Promise<boolean> {
  return run.child.exitCode !== null || run.child.signalCode !== null;
}

async function scenario(interruption: Interruption, point: Point, agent: string, index: number): Promise<Outcome> {
  const label = `${interruption} at ${point} on ${agent}`;
  const outcome: Outcome = { label, killPoints: 0, doubles: [], problems: [] };
  const dms = await startDms(AGENTS.map((name) => ({ name, version: '10.3.9', upgradeDurationMs: 1000 })), { userPrefix: `bkjt${String.fromCharCode(97 + index)}` });
  try {
    for (const a of AGENTS) {
      dms.lab.placePackage(a, PKG, '10.3.5');
      dms.lab.setFaults(a, { programMs: PROGRAM_MS });
    }
    let session = backout(dms, runArgs(dms), done(3));
    let runId: string | undefined;
    const sessions: CliRun[] = [session];
    for (const { step, effect } of DESTRUCTIVE) {
      const before = dms.lab.effects(agent).filter(effect).length;
      let fired = false;
      try {
        await waitFor(`${step} on ${agent} to reach ${point}`, () => {
          if (runId === undefined && /Run \S+ started in/.test(session.stdout())) runId = runIdOf(session.stdout());
          const job = lastJob(dms, agent, step);
          if (job === undefined) return false;
          if (point === 'job-started') return statusLines(dms, agent, job) >= 2 && dms.lab.effects(agent).filter(effect).length === before;
          if (point === 'after-effect') return dms.lab.effects(agent).filter(effect).length > before && statusLines(dms, agent, job) === 2;
          return statusLines(dms, agent, job) === 3;
        }, 90_000);
        fired = true;
      } catch (err) {
        // The window can be missed when a step ran while the host was away (a resume that found it done): not a kill point.
        if (await ended(session)) break;
        outcome.problems.push(`${step}: ${(err as Error).message}`);
        continue;
      }
      if (!fired) continue;
      outcome.killPoints++;
      if (interruption === 'ssh-drop') {
        dms.lab.dropConnections(agent);
        continue;
      }
      session.child.kill('SIGKILL');
      await session.done;
      if (runId === undefined) runId = runIdOf(session.stdout());
      // Resume at once: the job the killed host started may still be running on the Agent. A question about an
      // interrupted step would be a failure of exactly-once bookkeeping: --if-interrupted stop makes it visible.
      session = backout(dms, ['resume', runId, '--yes', '--if-interrupted', 'stop'], done(3));
      sessions.push(session);
    }
    const last = await session.done;
    if (last.code !== 0) outcome.problems.push(`the last session ended with ${last.code ?? last.signal}: ${last.stdout.slice(-1500)}${last.stderr}`);
    if (runId === undefined) runId = runIdOf(sessions[0]?.stdout() ?? '');

    for (const a of AGENTS) {
      const effects = dms.lab.effects(a);
      for (const { step, effect } of DESTRUCTIVE) {
        const n = effects.filter(effect).length;
        if (n > 1) outcome.doubles.push(`${step} on ${a} took effect ${n} times`);
        if (n === 0) outcome.problems.push(`${step} on ${a} never took effect`);
      }
      const s = dms.lab.state(a);
      if (!/^10\.3\.5\.0-/.test(s.build) || s.status !== 'Running') outcome.problems.push(`${a} ends at ${s.build}, ${s.status}`);
      const storage = s.programs.find((p) => p.name === STORAGE)?.version;
      const api = s.programs.find((p) => p.name === API)?.version;
      if (storage === undefined || storage.startsWith('3.') || api === undefined || api.startsWith('2.')) outcome.problems.push(`${a} has ${STORAGE} ${storage}, ${API} ${api}`);
    }
    const text = fs.readFileSync(path.join(dms.runsDir, runId, 'journal.jsonl'), 'utf8');
    let events: JournalEvent[] = [];
    try {
      const parsed = parseJournal(text, 'journal.jsonl');
      events = parsed.events;
      if (parsed.torn) outcome.problems.push(`the journal ends with a torn line: ${parsed.torn.text}`);
    } catch (err) {
      outcome.problems.push(`the journal does not read: ${(err as Error).message}`);
    }
    const finished = events.filter((e) => e.type === 'run-finished');
    if (finished[finished.length - 1]?.type !== 'run-finished' || (finished[finished.length - 1] as { outcome: string }).outcome !== 'succeeded') {
      outcome.problems.push('the journal does not end with a succeeded run');
    }
    // No record lost: every destructive effect has the job it came from in the journal.
    for (const a of AGENTS) {
      for (const { step } of DESTRUCTIVE) {
        if (!events.some((e) => e.type === 'job' && e.step === step && e.instance === a)) outcome.problems.push(`no job of ${step} on ${a} in the journal`);
      }
    }
  } finally {
    await dms.stop();
  }
  return outcome;
}

describe('crash torture of the DataMiner module swap in the Agent lab: run host killed and SSH dropped inside every destructive step', function () {
  this.timeout(600_000);

  it('takes every destructive effect exactly once, loses no journal record and ends downgraded', async () => {
    const t0 = Date.now();
    const cases = INTERRUPTIONS.flatMap((interruption) => POINTS.map((point, i) => ({ interruption, point, agent: AGENTS[i % AGENTS.length] as string })));
    const results = await mapBounded(cases.map((c, i) => ({ ...c, i })), PARALLEL, (c) => scenario(c.interruption, c.point, c.agent, c.i));
    const kills = results.reduce((n, o) => n + o.killPoints, 0);
    const { doubles, problems } = record(agentLabTally, results, kills);
    console.log(
      `      crash torture (Agent lab, DataMiner route B with module swap): ${results.length} scenarios, ${kills} kill points fired ` +
        `(${POINTS.length} points inside each of ${DESTRUCTIVE.length} destructive steps × SIGKILL of the run host and SSH drop); ` +
        `doubles found: ${doubles.length}; lost records or other problems: ${problems.length}; ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    assert.deepEqual(doubles, []);
    assert.deepEqual(problems, []);
    assert.ok(kills >= results.length * DESTRUCTIVE.length - 2, `kill points fired: ${kills}`);
  });
});
