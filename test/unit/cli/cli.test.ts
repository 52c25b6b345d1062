import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/cli';
import { ProcedureRegistry } from '../../../src/core/registry';
import { backout, testProcedures, type CliResult } from './cli-process';

function temp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'backout-cli-'));
}

describe('backout CLI', function () {
  this.timeout(30_000);
  let runs: string;
  let work: string;
  let env: Record<string, string>;

  beforeEach(() => {
    runs = path.join(temp(), 'runs');
    work = temp();
    env = { BACKOUT_RUNS_DIR: runs };
  });

  const withProcs = (...args: string[]): string[] => [...args, '--procedures', testProcedures];
  const runIds = (): string[] => (fs.existsSync(runs) ? fs.readdirSync(runs).filter((n) => /^\d{8}-/.test(n)) : []);
  const effects = (): string[] => (fs.existsSync(path.join(work, 'effects.log')) ? fs.readFileSync(path.join(work, 'effects.log'), 'utf8').trim().split('\n') : []);
  const ok = (r: CliResult): CliResult => {
    assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };

  describe('procedures', () => {
    it('lists the procedures of a module given with --procedures, with their parameters', () => {
      const r = ok(backout(withProcs('procedures'), env));
      assert.match(r.stdout, /^test-sequence {2}\(v1\.0\.0\) {2}Test: a sequence of appends$/m);
      assert.match(r.stdout, /--param dir=… {2}Work directory \(any text; required\)/);
    });

    it('loads procedure modules named in BACKOUT_PROCEDURE_MODULES', () => {
      const r = ok(backout(['procedures', '--json'], { ...env, BACKOUT_PROCEDURE_MODULES: testProcedures }));
      const ids = (JSON.parse(r.stdout) as Array<{ id: string }>).map((p) => p.id);
      for (const id of ['test-fanout', 'test-manual', 'test-secret', 'test-sequence', 'test-sleep']) assert.ok(ids.includes(id), `${id} is listed`);
      assert.deepEqual(ids, [...ids].sort(), 'sorted by id');
    });

    it('says how to load procedures when none are registered', async () => {
      const stdout = new PassThrough();
      let text = '';
      stdout.on('data', (c: Buffer) => (text += c.toString()));
      const io = { env: {}, cwd: work, homedir: work, stdout, stderr: new PassThrough(), stdin: new PassThrough(), interactive: false, signal: new AbortController().signal };
      assert.equal(await runCli(['procedures'], io, new ProcedureRegistry()), 0);
      assert.match(text, /No procedures are registered\. Load a procedure module with --procedures/);
    });

    it('names a module that exports no procedures', () => {
      const bad = path.join(work, 'empty.js');
      fs.writeFileSync(bad, 'module.exports = { hello: 1 };');
      const r = backout(['procedures', '--procedures', bad], env);
      assert.equal(r.code, 5);
      assert.match(r.stderr, new RegExp(`Procedure module ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: exports no procedures`));
    });
  });

  describe('plan', () => {
    it('prints a stable JSON document with every step instance and its command', () => {
      const r = ok(backout(withProcs('plan', 'test-sequence', '--param', `dir=${work}`, '--json'), env));
      const doc = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(doc.procedure, 'test-sequence');
      assert.deepEqual(doc.params, { target: 'lab', production: false, dir: work, hold: false });
      assert.deepEqual(doc.warnings, ['this is a test procedure']);
      assert.equal(doc.workDirectory, work, 'procedures add their own top-level fields');
      const steps = doc.steps as Array<Record<string, unknown>>;
      assert.equal(steps.length, 8);
      for (const s of steps) for (const k of ['id', 'title', 'kind', 'destructive', 'idempotent', 'instance', 'command']) assert.ok(k in s, `step has ${k}`);
      const destroy = steps.find((s) => s.id === 'destroy');
      assert.equal(destroy?.destructive, true);
      assert.equal(destroy?.command, `DIR=${work} sh -c 'echo "destroy" >> "$DIR/effects.log"'`);
      assert.deepEqual(steps.filter((s) => s.id === 'fan-out').map((s) => s.instance), ['node-a', 'node-b', 'node-c']);
    });

    it('prints the plan as text, marking destructive steps', () => {
      const r = ok(backout(withProcs('plan', 'test-sequence', '-p', `dir=${work}`), env));
      assert.match(r.stdout, /^5\. Destructive append {2}\[local, DESTRUCTIVE, not idempotent, timeout 1 min\] {2}\(destroy\)$/m);
    });

    it('refuses an invalid parameter with exit code 2, naming it and what is accepted', () => {
      const r = backout(withProcs('plan', 'test-sequence', '-p', `dir=${work}`, '-p', 'target=Prod EU'), env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /parameter "target" is "Prod EU"\. Accepted: lowercase letters, digits, dashes\./);
    });

    it('refuses a missing required parameter with exit code 2', () => {
      const r = backout(withProcs('plan', 'test-sequence'), env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /parameter "dir" is required/);
    });

    it('refuses an unknown procedure with exit code 2, listing the known ones', () => {
      const r = backout(withProcs('plan', 'ondat-upgrade'), env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /No procedure "ondat-upgrade" is registered\. Known: .*test-fanout, test-manual, test-secret, test-sequence, test-sleep/);
    });

    it('refuses an unknown option with exit code 2', () => {
      const r = backout(withProcs('plan', 'test-sequence', '--frobnicate'), env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Unknown option --frobnicate/);
    });
  });

  describe('run', () => {
    it('renders the plan on --dry-run, executes nothing and records no run', () => {
      const r = ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--dry-run'), env));
      assert.match(r.stdout, /echo "destroy" >> "\$DIR\/effects\.log"/);
      assert.match(r.stdout, /Dry run: nothing was executed/);
      assert.deepEqual(effects(), []);
      assert.deepEqual(runIds(), []);
    });

    it('carries out every step and exits 0', () => {
      const r = ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--yes'), env));
      // The fan-out step's three instances run at once: their order is whichever finished first.
      const done = effects();
      assert.deepEqual(done.slice(0, 3), ['prepare', 'verified', 'unverified']);
      assert.deepEqual(done.slice(3, 6).sort(), ['fan-out-node-a', 'fan-out-node-b', 'fan-out-node-c']);
      assert.deepEqual(done.slice(6), ['destroy', 'finish']);
      assert.match(r.stdout, /Run \d{8}-\d{6}-test-sequence-[0-9a-f]{4}: succeeded/);
    });

    it('refuses a destructive plan without a terminal or --yes before running anything', () => {
      const r = backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`), env);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /Destructive step "Destructive append" \(destroy\) \(target lab lab\) needs a confirmation.*pass --yes/);
      assert.deepEqual(effects(), []);
      assert.deepEqual(runIds(), []);
    });

    it('refuses a plan with a manual step when no one is at a terminal, before running anything', () => {
      const r = backout(withProcs('run', 'test-manual', '-p', `dir=${work}`, '--yes'), env);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /Manual step "Restore the VM snapshot" \(restore-snapshot\).*Run backout in a terminal/);
      assert.deepEqual(effects(), []);
    });

    it('does not accept --yes for a production target', () => {
      const r = backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--production', '--yes'), env);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /Pass --confirm-target lab \(--yes is not enough for production\)/);
      assert.deepEqual(effects(), []);
    });

    it('refuses --confirm-target naming another target', () => {
      const r = backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--production', '--confirm-target', 'lab-2'), env);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /--confirm-target "lab-2" does not match the target name "lab"/);
    });

    it('runs on a production target confirmed by name, and the journal says how it was confirmed', () => {
      ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '-p', 'production=true', '--confirm-target', 'lab'), env));
      const [id] = runIds();
      const journal = fs.readFileSync(path.join(runs, id as string, 'journal.jsonl'), 'utf8');
      assert.match(journal, /"method":"typed-target-name via --confirm-target flag"/);
    });

    it('exits 1 when a step fails, and stops there', () => {
      const r = backout(withProcs('run', 'test-fanout', '-p', `dir=${work}`, '-p', 'instances=3', '-p', 'fail=2', '-p', 'concurrency=1', '-p', 'sleep=0'), env);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /run failed — step each-node failed on node-02: exit code 7/);
      assert.doesNotMatch(fs.readFileSync(path.join(work, 'trace.log'), 'utf8'), /start 3|after/);
    });

    it('writes the report on --report', () => {
      ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--yes', '--report'), env));
      const [id] = runIds();
      assert.match(fs.readFileSync(path.join(runs, id as string, 'report.md'), 'utf8'), /\| Outcome \| succeeded \|/);
    });

    it('keeps runs under $BACKOUT_HOME/runs when BACKOUT_RUNS_DIR is not set', () => {
      const home = temp();
      ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--yes'), { BACKOUT_HOME: home }));
      assert.equal(fs.readdirSync(path.join(home, 'runs')).filter((n) => /^\d{8}-/.test(n)).length, 1);
    });
  });

  describe('runs, show, report, resume', () => {
    it('lists runs with their outcome', () => {
      ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--yes'), env));
      backout(withProcs('run', 'test-fanout', '-p', `dir=${work}`, '-p', 'instances=1', '-p', 'fail=1', '-p', 'sleep=0'), env);
      const r = ok(backout(['runs'], env));
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0] as string, /succeeded +test-sequence +lab$/);
      assert.match(lines[1] as string, /failed +test-fanout +lab$/);
    });

    it("shows a run's steps from its folder", () => {
      ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--yes'), env));
      const [id] = runIds();
      const r = ok(backout(['show', id as string], env));
      assert.match(r.stdout, new RegExp(`^Run ${id}: succeeded$`, 'm'));
      assert.match(r.stdout, /^ {2}succeeded +fan-out \/ node-b/m);
      const doc = JSON.parse(ok(backout(['show', id as string, '--json'], env)).stdout) as { units: Array<{ state: string }> };
      assert.equal(doc.units.length, 8);
      assert.ok(doc.units.every((u) => u.state === 'succeeded'));
    });

    it('writes and prints the report of a run', () => {
      ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--yes'), env));
      const [id] = runIds();
      const r = ok(backout(['report', id as string], env));
      assert.match(r.stdout, /\| Target \| lab lab \|/);
      assert.ok(fs.existsSync(path.join(runs, id as string, 'report.md')));
    });

    it('resumes a failed run after the cause is fixed, without repeating finished steps', () => {
      const r1 = backout(withProcs('run', 'test-fanout', '-p', `dir=${work}`, '-p', 'instances=3', '-p', 'fail=2', '-p', 'concurrency=1', '-p', 'sleep=0'), env);
      assert.equal(r1.code, 1);
      const [id] = runIds();
      fs.writeFileSync(path.join(work, 'fixed'), '');
      const r2 = ok(backout(['resume', id as string], env));
      assert.match(r2.stdout, /run succeeded/);
      const trace = fs.readFileSync(path.join(work, 'trace.log'), 'utf8').trim().split('\n');
      assert.deepEqual(trace, ['start 1', 'end 1', 'start 2', 'end 2', 'start 2', 'end 2', 'start 3', 'end 3', 'after']);
    });

    it('refuses to resume a run that succeeded', () => {
      ok(backout(withProcs('run', 'test-sequence', '-p', `dir=${work}`, '--yes'), env));
      const [id] = runIds();
      const r = backout(['resume', id as string], env);
      assert.equal(r.code, 5);
      assert.match(r.stderr, /already finished \(succeeded\); there is nothing to resume/);
    });

    it('names the runs folder when a run id is unknown', () => {
      const r = backout(['show', '20260101-000000-nothing-0000'], env);
      assert.equal(r.code, 5);
      assert.match(r.stderr, new RegExp(`No run "20260101-000000-nothing-0000" under ${runs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    });
  });

  describe('production', () => {
    const planTarget = (r: CliResult): { kind: string; name: string; production: boolean } => {
      assert.equal(r.code, 0, `exit ${r.code}\nstderr: ${r.stderr}`);
      return (JSON.parse(r.stdout) as { target: { kind: string; name: string; production: boolean } }).target;
    };
    const inventoryHome = (production: boolean): string => {
      const home = temp();
      fs.mkdirSync(path.join(home, '.backout'));
      const inventory = { version: 1, systems: [{ name: 'prod-eu', production, agents: [{ name: 'dma-01', host: '10.0.0.11', user: 'Administrator' }] }] };
      fs.writeFileSync(path.join(home, '.backout', 'inventory.json'), JSON.stringify(inventory));
      return home;
    };
    const dmsPlan = ['plan', 'dataminer.downgrade', '--json', '-p', 'dms=prod-eu', '-p', 'route=snapshot', '-p', 'from=10.3.9'];

    it('reads the inventory: a DMS marked production there is production without --production', () => {
      assert.equal(planTarget(backout(dmsPlan, { ...env, HOME: inventoryHome(true) })).production, true);
      assert.equal(planTarget(backout(dmsPlan, { ...env, HOME: inventoryHome(false) })).production, false);
    });

    it('never lets the production parameter lower what the inventory says', () => {
      assert.equal(planTarget(backout([...dmsPlan, '-p', 'production=false'], { ...env, HOME: inventoryHome(true) })).production, true);
    });

    it('makes a Kubernetes context production when BACKOUT_PRODUCTION_CONTEXTS names it', () => {
      const plan = ['plan', 'ondat.downgrade-2.7-to-2.6', '--json', '-p', 'context=prod-1'];
      assert.equal(planTarget(backout(plan, { ...env, HOME: work, BACKOUT_PRODUCTION_CONTEXTS: 'staging, prod-*' })).production, true);
      assert.equal(planTarget(backout(plan, { ...env, HOME: work, BACKOUT_PRODUCTION_CONTEXTS: 'staging' })).production, false);
    });
  });

  describe('secrets', () => {
    const canary = 'CANARY-4f9e1d2c-do-not-leak';

    it('keeps a secret parameter out of the run folder, the output and the report', () => {
      const r = backout(withProcs('run', 'test-secret', '--verbose', '--report'), { ...env, BACKOUT_SECRET_TOKEN: canary });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /token is \*\*\*/);
      assert.match(r.stdout, /stderr token \*\*\*/);
      assert.match(r.stdout, /inherited nothing/, 'the step does not inherit BACKOUT_SECRET_TOKEN');
      assert.equal(r.stdout.includes(canary) || r.stderr.includes(canary), false);
      const [id] = runIds();
      const dir = path.join(runs, id as string);
      const files = ['plan.json', 'journal.jsonl', 'report.md', 'logs/use-token/lab.log', 'logs/fail-with-token/lab.log'];
      for (const f of files) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        assert.equal(text.includes(canary), false, `${f} holds the canary`);
      }
      assert.match(fs.readFileSync(path.join(dir, 'logs/fail-with-token/lab.log'), 'utf8'), /failing with \*\*\*/);
      assert.match(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8'), /"token": "\*\*\*"/);
    });

    it('shows the placeholder, not the value, in plan --json', () => {
      const r = ok(backout(withProcs('plan', 'test-secret', '--json'), { ...env, BACKOUT_SECRET_TOKEN: canary }));
      assert.equal(r.stdout.includes(canary), false);
      assert.match(r.stdout, /TOKEN='\$\{secret:token\}'/);
    });

    it('refuses a secret given with --param, pointing at BACKOUT_SECRET_<NAME> and the prompt', () => {
      const r = backout(withProcs('run', 'test-secret', '-p', `token=${canary}`, '--yes'), env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /"token" is a secret: never pass it with --param/);
      assert.match(r.stderr, /BACKOUT_SECRET_TOKEN/);
      assert.equal(r.stderr.includes(canary) || r.stdout.includes(canary), false);
      assert.deepEqual(runIds(), [], 'nothing ran');
    });
  });
});
