// `backout`: the command line on the same core and the same run folders as the extension.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { LazyKubeExecutor } from '../adapters/kube/lazy-executor';
import { LocalExecutor } from '../adapters/local/local-executor';
import { DeferredSshExecutor } from '../adapters/ssh/lazy-executor';
import { FileTargetLocks, pidAlive } from '../adapters/local/file-lock';
import { RunFolderRepository } from '../adapters/local/run-folder';
import { currentActor, systemClock } from '../adapters/local/system';
import { BackoutError, ConfirmationRequiredError, NoExecutorError, InvalidParameterError, TargetLockedError, UnknownProcedureError } from '../core/errors';
import type { JournalEvent } from '../core/journal';
import { planDocument, unitKey, type KubeAction, type Plan } from '../core/plan';
import { targetLabel } from '../core/lock';
import { isDone } from '../core/step-state';
import type { Executor, Executors, Prompter } from '../core/ports';
import { Redactor } from '../core/redaction';
import { ProcedureRegistry, procedures as builtInProcedures } from '../core/registry';
import { renderReport } from '../core/report';
import type { RunState, UnitState } from '../core/run-state';
import { loadRun, type RunHost } from '../core/runner';
import { preparePlan, resumeRun, startRun, type RunEnvironment } from '../core/runs';
import { locksDirectory, resolveRunsRoot } from '../core/runs-root';
import { flag, flagAll, has, paramPairs, parseArgs, UsageError, withParamsFile, type FlagSpec, type ParsedArgs } from './args';
import { EXIT } from './exit-codes';
import { formatPlan, formatProcedures, formatRunState, runStateDocument } from './format';
import { loadProcedureModules, procedureModulePaths } from '../adapters/local/procedure-modules';
import { readParamsFile } from '../adapters/local/params-file';
import { INTERRUPTED_CHOICES, secretEnvName, TerminalPrompter, type InterruptedChoice } from './terminal-prompter';

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  homedir: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: Readable;
  /** A person can answer prompts (stdin and stderr are a terminal). */
  interactive: boolean;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
}

const COMMON: Record<string, FlagSpec> = {
  procedures: { value: true, multiple: true },
  'runs-dir': { value: true },
  help: { short: 'h' },
};
const PLAN_FLAGS: Record<string, FlagSpec> = { param: { value: true, multiple: true, short: 'p' }, 'params-file': { value: true }, production: {}, json: {} };
const EXEC_FLAGS: Record<string, FlagSpec> = {
  yes: { short: 'y' },
  'confirm-target': { value: true },
  'if-interrupted': { value: true },
  concurrency: { value: true },
  'continue-on-failure': {},
  verbose: { short: 'v' },
  report: {},
};
const SPECS: Record<string, Record<string, FlagSpec>> = {
  procedures: { ...COMMON, json: {} },
  plan: { ...COMMON, ...PLAN_FLAGS },
  run: { ...COMMON, ...PLAN_FLAGS, ...EXEC_FLAGS, 'dry-run': {} },
  resume: { ...COMMON, ...EXEC_FLAGS },
  runs: { ...COMMON, json: {} },
  show: { ...COMMON, json: {} },
  report: { ...COMMON, output: { value: true, short: 'o' } },
  help: { ...COMMON },
};

export const USAGE = `Usage: backout <command> [options]

Commands:
  procedures                         List the registered procedures and their parameters
  plan <procedure> [--param k=v]...  Render the full plan (every command exactly as sent); --json for a document
  run <procedure> [--param k=v]...   Start a run (--dry-run: render the plan, execute nothing)
  resume <run-id>                    Resume an interrupted, failed or cancelled run
  runs                               List runs (newest last)
  show <run-id>                      Show a run's state, derived from its folder
  report <run-id>                    Write report.md for a run and print it

Options:
  --param, -p name=value   A procedure parameter (repeatable)
  --params-file F          Parameters from a JSON or YAML file ({"procedure": id, "params": {...}}); --param wins
  --production             Treat the target as production (destructive steps need its name typed)
  --json                   Machine-readable output (procedures, plan, runs, show)
  --yes, -y                Confirm destructive steps on NON-production targets without asking
  --confirm-target NAME    Confirm destructive steps on a production target named NAME
  --if-interrupted WHAT    For a step caught mid-way that is not idempotent and has no verification:
                           ask (default) | completed | rerun | skip | stop
  --concurrency N          At most N instances of a step at once (default 4)
  --continue-on-failure    Attempt every instance of a failing step before stopping
  --verbose, -v            Print each step's output lines as they come
  --report                 Write report.md when the run ends
  --output, -o FILE        report: also write the report to FILE
  --procedures FILE        Load procedures from a CommonJS module (repeatable; also BACKOUT_PROCEDURE_MODULES)
  --runs-dir DIR           Runs folder (default $BACKOUT_RUNS_DIR, $BACKOUT_HOME/runs, ~/.backout/runs)

Secrets: secret parameters may be given as BACKOUT_SECRET_<NAME> in the environment instead of --param;
resume asks for them again (or reads the same variables).
Exit codes: 0 succeeded, 1 run failed, 2 usage or invalid parameters, 3 target locked,
4 confirmation needed but none possible, 5 other error, 6 run cancelled or stopped, 130 interrupted.
`;

export async function runCli(argv: readonly string[], io: CliIo, registry: ProcedureRegistry = builtInProcedures): Promise<number> {
  const out = (s: string): void => void io.stdout.write(s);
  const err = (s: string): void => void io.stderr.write(s);
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      out(USAGE);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    const spec = SPECS[command];
    if (!spec) throw new UsageError(`Unknown command "${command}". Commands: ${Object.keys(SPECS).join(', ')}.`);
    const args = parseArgs(rest, spec);
    if (has(args, 'help')) {
      out(USAGE);
      return EXIT.ok;
    }
    loadProcedureModules(procedureModulePaths(io.env, flagAll(args, 'procedures')), registry, io.cwd);
    const root = resolveRunsRoot({ env: io.env, homedir: io.homedir, override: flag(args, 'runs-dir') });
    const ctx: Ctx = { io, args, registry, root, out, err, closers: [] };
    try {
      switch (command) {
        case 'procedures':
          return cmdProcedures(ctx);
        case 'plan':
          return await cmdPlan(ctx, false);
        case 'run':
          return has(args, 'dry-run') ? await cmdPlan(ctx, true) : await cmdRun(ctx);
        case 'resume':
          return await cmdResume(ctx);
        case 'runs':
          return await cmdRuns(ctx);
        case 'show':
          return await cmdShow(ctx);
        case 'report':
          return await cmdReport(ctx);
        default:
          out(USAGE);
          return EXIT.ok;
      }
    } finally {
      for (const close of ctx.closers) await close().catch(() => undefined);
    }
  } catch (e) {
    return reportError(e, err, io.signal);
  }
}

interface Ctx {
  io: CliIo;
  args: ParsedArgs;
  registry: ProcedureRegistry;
  root: string;
  out(s: string): void;
  err(s: string): void;
  /** Connections to close when the command ends (the SSH pool). */
  closers: Array<() => Promise<void>>;
  /** The folder of the run being executed, once it exists (kube steps save backups there). */
  runFolder?: string;
}

function reportError(e: unknown, err: (s: string) => void, signal: AbortSignal): number {
  const message = e instanceof Error ? e.message : String(e);
  err(`backout: ${message}\n`);
  if (e instanceof UsageError || e instanceof InvalidParameterError || e instanceof UnknownProcedureError) return EXIT.usage;
  if (e instanceof TargetLockedError) return EXIT.targetLocked;
  if (e instanceof ConfirmationRequiredError) return EXIT.confirmationRequired;
  if (signal.aborted) return EXIT.interrupted;
  if (!(e instanceof BackoutError) && e instanceof Error && e.stack && process.env.BACKOUT_DEBUG) err(`${e.stack}\n`);
  return EXIT.error;
}

function cmdProcedures(ctx: Ctx): number {
  const list = ctx.registry.list();
  if (has(ctx.args, 'json')) {
    const doc = list.map((p) => ({
      id: p.id,
      title: p.title,
      version: p.version,
      description: p.description,
      parameters: p.parameters.map((d) => ({ ...d, validate: undefined })),
    }));
    ctx.out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    ctx.out(formatProcedures(list));
  }
  return EXIT.ok;
}

function needOne(args: ParsedArgs, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`Expected exactly one ${what}, got ${args.positionals.length === 0 ? 'none' : args.positionals.join(' ')}.`);
  return args.positionals[0] as string;
}

function executors(ctx: Ctx, prompter: Prompter): Executors {
  return { local: new LocalExecutor(), ssh: sshExecutor(ctx, prompter), kube: kubeExecutor(ctx) };
}

/**
 * Kubernetes: kubeconfig read as kubectl reads it ($KUBECONFIG, else ~/.kube/config); every call names the
 * action's context. client-node is loaded only when the first kube action runs.
 */
function kubeExecutor(ctx: Ctx): LazyKubeExecutor {
  const kube = new LazyKubeExecutor(() => ({
    kubeconfig: { env: { ...ctx.io.env }, home: ctx.io.homedir },
    runFolder: () => ctx.runFolder,
  }));
  ctx.closers.push(() => kube.close());
  return kube;
}

/**
 * SSH to Agents: hosts resolve through BACKOUT_SSH_CONFIG (default ~/.ssh/config); host keys are checked against
 * ~/.ssh/known_hosts and Backout's own BACKOUT_KNOWN_HOSTS (default ~/.backout/known_hosts).
 */
function sshExecutor(ctx: Ctx, prompter: Prompter): DeferredSshExecutor {
  const env = ctx.io.env;
  const ssh = new DeferredSshExecutor(() => ({
    prompter,
    sshConfig: { homeDir: ctx.io.homedir, ...(env.BACKOUT_SSH_CONFIG ? { configFile: env.BACKOUT_SSH_CONFIG } : {}) },
    userKnownHostsFiles: [path.join(ctx.io.homedir, '.ssh', 'known_hosts')],
    backoutKnownHostsFile: env.BACKOUT_KNOWN_HOSTS || path.join(ctx.io.homedir, '.backout', 'known_hosts'),
  }));
  ctx.closers.push(() => ssh.close());
  return ssh;
}

/** Raw parameters: --param pairs, plus secret parameters from BACKOUT_SECRET_<NAME> when not given as flags. */
function rawParams(ctx: Ctx, procedureId: string): Record<string, string> {
  const raw = withParamsFile(procedureId, paramsFileOf(ctx), paramPairs(flagAll(ctx.args, 'param')));
  const procedure = ctx.registry.get(procedureId);
  for (const d of procedure.parameters) {
    const fromEnv = ctx.io.env[secretEnvName(d.name)];
    if (d.secret && raw[d.name] === undefined && fromEnv !== undefined) raw[d.name] = fromEnv;
  }
  return raw;
}

/** `--params-file F`, read relative to the working folder; a bad file is a usage error (exit 2) naming it. */
function paramsFileOf(ctx: Ctx): { path: string; procedure?: string; params: Record<string, string> } | undefined {
  const file = flag(ctx.args, 'params-file');
  if (file === undefined) return undefined;
  try {
    return { path: file, ...readParamsFile(path.resolve(ctx.io.cwd, file)) };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function cmdPlan(ctx: Ctx, dryRun: boolean): Promise<number> {
  const id = needOne(ctx.args, 'procedure id');
  const procedure = ctx.registry.get(id);
  const all = executors(ctx, execOptions(ctx).prompter);
  // `plan` also works offline: where no kubeconfig or no such context exists, the cluster is simply not read and the
  // plan says which steps depend on discovery. A dry run reads the cluster or fails, as the run would.
  const planExecutors: Executors = dryRun || !all.kube ? all : { ...all, kube: offlineWhenNoCluster(all.kube) };
  const prepared = await preparePlan(procedure, rawParams(ctx, id), { executors: planExecutors }, { production: has(ctx.args, 'production'), signal: ctx.io.signal });
  const redactor = new Redactor(prepared.secrets.values());
  if (has(ctx.args, 'json')) ctx.out(redactor.redact(`${JSON.stringify(planDocument(prepared.plan), null, 2)}\n`));
  else {
    ctx.out(redactor.redact(formatPlan(prepared.plan)));
    if (dryRun) ctx.out('\nDry run: nothing was executed and no run was recorded.\n');
  }
  return EXIT.ok;
}

function offlineWhenNoCluster(kube: Executor<KubeAction>): Executor<KubeAction> {
  return {
    execute: async (request) => {
      try {
        return await kube.execute(request);
      } catch (err) {
        const problem = (err as { problem?: unknown }).problem;
        if (err instanceof Error && err.name === 'KubeconfigError' && (problem === 'missing' || problem === 'unknown-context')) {
          throw new NoExecutorError('kube', request.step);
        }
        throw err;
      }
    },
  };
}

function execOptions(ctx: Ctx): { prompter: TerminalPrompter; concurrency?: number; stopOnFirstFailure: boolean } {
  const ifInterrupted = flag(ctx.args, 'if-interrupted');
  if (ifInterrupted !== undefined && !(INTERRUPTED_CHOICES as readonly string[]).includes(ifInterrupted)) {
    throw new UsageError(`--if-interrupted accepts ${INTERRUPTED_CHOICES.join(', ')}; got "${ifInterrupted}".`);
  }
  const c = flag(ctx.args, 'concurrency');
  let concurrency: number | undefined;
  if (c !== undefined) {
    concurrency = Number(c);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency needs a whole number of at least 1; got "${c}".`);
  }
  const prompter = new TerminalPrompter({
    ...(ctx.io.interactive ? { terminal: { input: ctx.io.stdin, output: ctx.io.stderr } } : {}),
    yes: has(ctx.args, 'yes'),
    ...(flag(ctx.args, 'confirm-target') !== undefined ? { confirmTarget: flag(ctx.args, 'confirm-target') as string } : {}),
    ...(ifInterrupted !== undefined ? { ifInterrupted: ifInterrupted as InterruptedChoice } : {}),
    env: ctx.io.env,
  });
  return { prompter, ...(concurrency !== undefined ? { concurrency } : {}), stopOnFirstFailure: !has(ctx.args, 'continue-on-failure') };
}

function environment(ctx: Ctx, prompter: TerminalPrompter): RunEnvironment {
  const host: RunHost = { executors: executors(ctx, prompter), prompter, clock: systemClock, actor: currentActor() };
  return {
    repository: new RunFolderRepository(ctx.root),
    locks: new FileTargetLocks(locksDirectory(ctx.root), { hostname: os.hostname(), pidAlive }),
    host,
  };
}

function progress(ctx: Ctx): { onEvent(e: JournalEvent): void; onLine?(step: string, instance: string, stream: string, text: string): void } {
  const time = (iso: string): string => iso.slice(11, 19);
  return {
    onEvent: (e) => {
      switch (e.type) {
        case 'step':
          ctx.out(`[${time(e.at)}] ${e.step} / ${e.instance}: ${e.state}${e.reason ? ` — ${e.reason}` : ''}\n`);
          break;
        case 'warning':
          ctx.out(`[${time(e.at)}] warning: ${e.message}\n`);
          break;
        case 'run-finished':
          ctx.out(`[${time(e.at)}] run ${e.outcome}${e.reason ? ` — ${e.reason}` : ''}\n`);
          break;
        default:
          break;
      }
    },
    ...(has(ctx.args, 'verbose') ? { onLine: (step: string, instance: string, stream: string, text: string) => ctx.out(`    ${step}/${instance} ${stream}: ${text}\n`) } : {}),
  };
}

async function finishRun(ctx: Ctx, env: RunEnvironment, state: RunState): Promise<number> {
  if (has(ctx.args, 'report')) {
    const storage = await env.repository.open(state.runId);
    const md = await renderReport({
      state,
      readLog: (s, i) => storage.readLog(s, i),
      redactor: new Redactor(),
      generatedAt: new Date().toISOString(),
    });
    ctx.out(`Report: ${await storage.writeReport(md)}\n`);
  }
  ctx.out(`Run ${state.runId}: ${state.status}. Folder: ${env.repository.root}/${state.runId}\n`);
  if (state.status === 'succeeded') return EXIT.ok;
  if (state.status === 'failed') return EXIT.runFailed;
  if (ctx.io.signal.aborted) return EXIT.interrupted;
  ctx.out(`Resume it with: backout resume ${state.runId}\n`);
  return EXIT.runCancelled;
}

async function cmdRun(ctx: Ctx): Promise<number> {
  const id = needOne(ctx.args, 'procedure id');
  const procedure = ctx.registry.get(id);
  const { prompter, ...opts } = execOptions(ctx);
  const env = environment(ctx, prompter);
  const prepared = await preparePlan(procedure, rawParams(ctx, id), env.host, { production: has(ctx.args, 'production'), signal: ctx.io.signal });
  checkGates(prompter, prepared.plan, () => true);
  const state = await startRun(env, prepared, {
    ...opts,
    signal: ctx.io.signal,
    ...progress(ctx),
    onStarted: (runId, location) => {
      ctx.runFolder = location;
      ctx.out(`Run ${runId} started in ${location}\n`);
    },
  });
  return finishRun(ctx, env, state);
}

/** Refuses before anything runs when a destructive step still to do could not be confirmed here. */
function checkGates(prompter: TerminalPrompter, plan: Plan, pending: (step: string, instance: string) => boolean): void {
  const label = plan.target.description ?? targetLabel(plan.target);
  const todo = plan.steps.filter((s) => s.instances.some((i) => pending(s.id, i.instance)));
  const manual = todo.find((s) => s.kind === 'manual');
  if (manual) prompter.assertOperatorPresent(label, `Manual step "${manual.title}" (${manual.id})`);
  const step = todo.find((s) => s.destructive);
  if (step) prompter.assertCanConfirm({ name: plan.target.name, production: plan.target.production, label }, `Destructive step "${step.title}" (${step.id})`);
}

async function cmdResume(ctx: Ctx): Promise<number> {
  const runId = needOne(ctx.args, 'run id');
  const { prompter, ...opts } = execOptions(ctx);
  const env = environment(ctx, prompter);
  const loaded = await loadRun(await env.repository.open(runId));
  checkGates(prompter, loaded.state.plan, (step, instance) => !isDone((loaded.state.units.get(unitKey(step, instance)) as UnitState).state));
  const state = await resumeRun(env, runId, {
    ...opts,
    signal: ctx.io.signal,
    ...progress(ctx),
    onStarted: (id, location) => {
      ctx.runFolder = location;
      ctx.out(`Run ${id} resumed in ${location}\n`);
    },
  });
  return finishRun(ctx, env, state);
}

/** "running (pid …)" when a live process holds the run's target lock, "interrupted" when unfinished without one. */
async function activity(ctx: Ctx, state: RunState): Promise<string> {
  if (state.status !== 'unfinished') return state.status;
  const locks = new FileTargetLocks(locksDirectory(ctx.root), { hostname: os.hostname(), pidAlive });
  const holder = await locks.holder(state.plan.target).catch(() => undefined);
  if (holder && holder.runId === state.runId) {
    if (holder.hostname !== os.hostname()) return `running (pid ${holder.pid} on ${holder.hostname})`;
    if (pidAlive(holder.pid)) return `running (pid ${holder.pid})`;
  }
  return 'interrupted';
}

async function cmdRuns(ctx: Ctx): Promise<number> {
  const repo = new RunFolderRepository(ctx.root);
  const ids = await repo.list();
  const rows: Array<{ runId: string; procedure: string; target: string; status: string; startedAt: string | null; problem?: string }> = [];
  for (const id of ids) {
    try {
      const { state } = await loadRun(await repo.open(id));
      rows.push({ runId: id, procedure: state.plan.procedure.id, target: state.plan.target.name, status: await activity(ctx, state), startedAt: state.startedAt ?? null });
    } catch (e) {
      rows.push({ runId: id, procedure: '?', target: '?', status: 'unreadable', startedAt: null, problem: e instanceof Error ? e.message : String(e) });
    }
  }
  // Ids sort by the second; runs started within one second are ordered by their recorded start.
  rows.sort((a, b) => a.runId.slice(0, 15).localeCompare(b.runId.slice(0, 15)) || (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  if (has(ctx.args, 'json')) ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) ctx.out(`No runs in ${ctx.root}.\n`);
  else for (const r of rows) ctx.out(`${r.runId}  ${r.status.padEnd(12)}  ${r.procedure}  ${r.target}${r.problem ? `  (${r.problem})` : ''}\n`);
  return EXIT.ok;
}

async function cmdShow(ctx: Ctx): Promise<number> {
  const runId = needOne(ctx.args, 'run id');
  const storage = await new RunFolderRepository(ctx.root).open(runId);
  const loaded = await loadRun(storage);
  const extra = { ...(loaded.tornLine ? { tornLine: loaded.tornLine } : {}), activity: await activity(ctx, loaded.state) };
  if (has(ctx.args, 'json')) ctx.out(`${JSON.stringify(runStateDocument(loaded.state, extra), null, 2)}\n`);
  else ctx.out(formatRunState(loaded.state, extra));
  return EXIT.ok;
}

async function cmdReport(ctx: Ctx): Promise<number> {
  const runId = needOne(ctx.args, 'run id');
  const storage = await new RunFolderRepository(ctx.root).open(runId);
  const { state } = await loadRun(storage);
  // The folder's files are already redacted; secrets given in this environment are redacted once more.
  const redactor = new Redactor(state.plan.secrets.map((n) => ctx.io.env[secretEnvName(n)]).filter((v): v is string => v !== undefined));
  const md = await renderReport({ state, readLog: (s, i) => storage.readLog(s, i), redactor, generatedAt: new Date().toISOString() });
  const file = await storage.writeReport(md);
  const extraOut = flag(ctx.args, 'output');
  if (extraOut !== undefined) fs.writeFileSync(path.resolve(ctx.io.cwd, extraOut), md);
  ctx.out(md);
  ctx.err(`Report written to ${file}\n`);
  return EXIT.ok;
}
