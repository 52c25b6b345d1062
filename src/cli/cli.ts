// `backout`: the command line on the same core and the same run folders as the extension.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { LazyKubeExecutor } from '../adapters/kube/lazy-executor';
import { LocalExecutor } from '../adapters/local/local-executor';
import { DeferredSshExecutor } from '../adapters/ssh/lazy-executor';
import { FileTargetLocks, localLockHost, pidAlive } from '../adapters/local/file-lock';
import { RunFolderRepository } from '../adapters/local/run-folder';
import { currentActor, systemClock } from '../adapters/local/system';
import { BackoutError, ConfirmationRequiredError, NoExecutorError, InvalidParameterError, RunAlreadyRunningError, TargetLockedError, UnknownProcedureError } from '../core/errors';
import type { JournalEvent } from '../core/journal';
import { planDocument, unitKey, type KubeAction, type Plan } from '../core/plan';
import { planDifferences, type ComparablePlan } from '../core/plan-diff';
import { targetLabel } from '../core/lock';
import { isDone } from '../core/step-state';
import type { Executor, Executors, Prompter } from '../core/ports';
import { Redactor } from '../core/redaction';
import { ProcedureRegistry, procedures as builtInProcedures } from '../core/registry';
import { renderReport } from '../core/report';
import type { RunState, UnitState } from '../core/run-state';
import { loadRun, type RunHost } from '../core/runner';
import type { Procedure } from '../core/procedure';
import { parseContextList } from '../core/production';
import { InventoryInvalidError } from '../adapters/store/errors';
import { loadInventory } from '../adapters/store/inventory-load';
import { parseJournal } from '../core/journal';
import { isStale, type LockHolder } from '../core/lock';
import type { FolderQuestion } from '../core/control';
import { preparePlan, resumeRun, startRun, type PrepareOptions, type RunEnvironment, type StartOptions } from '../core/runs';
import { FolderPrompter } from '../adapters/local/folder-prompter';
import { RunControlFiles } from '../adapters/local/run-control';
import { DetachablePrompter } from './detachable-prompter';
import { DetachedHost } from './detached-host';
import { SocketPrompter } from '../adapters/local/socket-prompter';
import { AttachClient } from '../adapters/local/attach-client';
import type { SocketQuestion } from '../adapters/local/run-socket';
import { killAtEvent } from './failpoint';
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
  /** Signals the process receives (SIGHUP: the terminal went away; it does not abort `signal`). */
  signals?: { on(listener: (sig: 'SIGHUP' | 'SIGINT' | 'SIGTERM') => void): void };
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
const HOST_FLAGS: Record<string, FlagSpec> = { detached: {}, 'ready-fd': { value: true }, 'secrets-stdin': {} };
const SPECS: Record<string, Record<string, FlagSpec>> = {
  procedures: { ...COMMON, json: {} },
  plan: { ...COMMON, ...PLAN_FLAGS },
  run: { ...COMMON, ...PLAN_FLAGS, ...EXEC_FLAGS, ...HOST_FLAGS, 'dry-run': {}, 'expect-plan': { value: true } },
  resume: { ...COMMON, ...EXEC_FLAGS, ...HOST_FLAGS },
  attach: { ...COMMON, yes: { short: 'y' }, 'confirm-target': { value: true }, 'if-interrupted': { value: true } },
  cancel: { ...COMMON },
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
  attach <run-id>                    Follow a running run (journal tail) and answer its questions (Ctrl-C detaches)
  cancel <run-id>                    Ask the process running a run to cancel it (recorded in its journal)
  runs                               List runs (newest last)
  show <run-id>                      Show a run's state, derived from its folder
  report <run-id>                    Write report.md for a run and print it

Options:
  --param, -p name=value   A procedure parameter (repeatable)
  --params-file F          Parameters from a JSON or YAML file ({"procedure": id, "params": {...}}); --param wins
  --production             Treat the target as production (destructive steps need its name typed); a DMS marked
                           production in the inventory, and a context in BACKOUT_PRODUCTION_CONTEXTS, always are
  --json                   Machine-readable output (procedures, plan, runs, show)
  --yes, -y                Confirm destructive steps on NON-production targets without asking
  --confirm-target NAME    Confirm destructive steps on a production target named NAME
  --if-interrupted WHAT    For a step caught mid-way that is not idempotent and has no verification:
                           ask (default) | completed | rerun | skip | stop
  --concurrency N          At most N instances of a step at once (default 4)
  --continue-on-failure    Attempt every instance of a failing step before stopping
  --verbose, -v            Print each step's output lines as they come
  --report                 Write report.md when the run ends
  --detached               run/resume with nobody at this terminal (as VS Code starts runs): gates wait for
                           \`backout attach\` or VS Code (through the run folder), secrets and host keys are asked
                           over the run's owner-only socket; the run waits at each question and journals that it does
  --ready-fd N             With --detached: once the run is owned, write {"runId","location","pid"} to descriptor N
  --expect-plan F          run: start only if the plan made now has the steps, commands and warnings of the plan in
                           F (JSON, as VS Code writes the plan a person accepted); otherwise exit 7 naming each change
  --secrets-stdin          Read secret parameters as one JSON object {"name": "value"} from standard input (a pipe
                           from the program starting the run; never a file)
  --output, -o FILE        report: also write the report to FILE
  --procedures FILE        Load procedures from a CommonJS module (repeatable; also BACKOUT_PROCEDURE_MODULES)
  --runs-dir DIR           Runs folder (default $BACKOUT_RUNS_DIR, $BACKOUT_HOME/runs, ~/.backout/runs)

Production: a target is production if any source says so — --production, the production parameter, the inventory
(~/.backout/inventory.json and ./.backout/inventory.json), or BACKOUT_PRODUCTION_CONTEXTS (comma-separated Kubernetes
context names, * as wildcard; the CLI equivalent of the backout.productionContexts setting). None can lower another.
Secrets: secret parameters are never accepted as --param (the process list shows argv to every user); give them as
BACKOUT_SECRET_<NAME> in the environment or type them when asked. resume asks again (or reads the same variables).
Steps and tools Backout starts never inherit BACKOUT_SECRET_* variables.
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
        case 'attach':
          return await cmdAttach(ctx);
        case 'cancel':
          return await cmdCancel(ctx);
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
  /** Set by the run host's prompter: gives it the journal's warn once the run is recorded. */
  journalWarn?(warn: (message: string) => Promise<void>): void;
}

function reportError(e: unknown, err: (s: string) => void, signal: AbortSignal): number {
  const message = e instanceof Error ? e.message : String(e);
  err(`backout: ${message}\n`);
  if (e instanceof UsageError || e instanceof InvalidParameterError || e instanceof UnknownProcedureError) return EXIT.usage;
  if (e instanceof TargetLockedError || e instanceof RunAlreadyRunningError) return EXIT.targetLocked;
  if (e instanceof ConfirmationRequiredError) return EXIT.confirmationRequired;
  if (e instanceof PlanChangedError) return EXIT.planChanged;
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
 * SSH to Agents, as VS Code reaches them: an Agent named in a plan is looked up in the DMS inventory first (the
 * user's file, BACKOUT_INVENTORY_FILE or ~/.backout/inventory.json, and ./.backout/inventory.json; unique names only),
 * then through BACKOUT_SSH_CONFIG (default ~/.ssh/config). Host keys are checked against ~/.ssh/known_hosts and
 * Backout's own BACKOUT_KNOWN_HOSTS (default ~/.backout/known_hosts); BACKOUT_SSH_IDENTITY_FILES (path-delimited)
 * are the keys tried when neither names one.
 */
function sshExecutor(ctx: Ctx, prompter: Prompter): DeferredSshExecutor {
  const env = ctx.io.env;
  const identityFiles = (env.BACKOUT_SSH_IDENTITY_FILES ?? '').split(path.delimiter).filter((f) => f.trim() !== '');
  const ssh = new DeferredSshExecutor((adapter) => {
    const sshConfig = { homeDir: ctx.io.homedir, ...(env.BACKOUT_SSH_CONFIG ? { configFile: env.BACKOUT_SSH_CONFIG } : {}) };
    return {
      prompter,
      sshConfig,
      userKnownHostsFiles: [path.join(ctx.io.homedir, '.ssh', 'known_hosts')],
      backoutKnownHostsFile: env.BACKOUT_KNOWN_HOSTS || path.join(ctx.io.homedir, '.backout', 'known_hosts'),
      ...(identityFiles.length > 0 ? { identityFiles } : {}),
      resolveFirst: (host) => {
        const inventory = loadInventory({ homeDir: ctx.io.homedir, workspaceFolders: [ctx.io.cwd], ...(env.BACKOUT_INVENTORY_FILE ? { userFile: env.BACKOUT_INVENTORY_FILE } : {}) });
        const matches = inventory.systems.flatMap((dms) => dms.agents.filter((a) => a.name === host).map((agent) => ({ dms, agent })));
        const only = matches.length === 1 ? matches[0] : undefined;
        return only ? adapter.agentEndpoint(only.dms, only.agent, sshConfig) : undefined;
      },
    };
  });
  ctx.closers.push(() => ssh.close());
  return ssh;
}

/**
 * Every source that can make the target production besides the parameter: --production, the inventory (the user's
 * ~/.backout/inventory.json and the one of the current folder, as in VS Code), BACKOUT_PRODUCTION_CONTEXTS.
 */
function productionSources(ctx: Ctx, procedure: Procedure): PrepareOptions {
  const productionContexts = parseContextList(ctx.io.env.BACKOUT_PRODUCTION_CONTEXTS);
  const base: PrepareOptions = { production: has(ctx.args, 'production'), signal: ctx.io.signal };
  if (procedure.targetParameter?.kind !== 'dms') return { ...base, productionSources: { productionContexts } };
  const inventory = loadInventory({ homeDir: ctx.io.homedir, workspaceFolders: [ctx.io.cwd], ...(ctx.io.env.BACKOUT_INVENTORY_FILE ? { userFile: ctx.io.env.BACKOUT_INVENTORY_FILE } : {}) });
  // An inventory that cannot be read could be the one marking this DMS production: say so rather than guess.
  if (inventory.problems.length > 0) throw new InventoryInvalidError(inventory.problems);
  const productionDms = new Set(inventory.systems.filter((d) => d.production).map((d) => d.name));
  return { ...base, productionSources: { productionDms, productionContexts } };
}

/** Raw parameters: --param pairs, plus secret parameters from BACKOUT_SECRET_<NAME> when not given as flags. */
function rawParams(ctx: Ctx, procedureId: string): Record<string, string> {
  const raw = withParamsFile(procedureId, paramsFileOf(ctx), paramPairs(flagAll(ctx.args, 'param')));
  const procedure = ctx.registry.get(procedureId);
  const onCommandLine = procedure.parameters.filter((d) => d.secret && raw[d.name] !== undefined).map((d) => d.name);
  if (onCommandLine.length > 0) {
    // Any user of this machine can read a process's argv (ps, /proc): a secret there is already disclosed.
    throw new UsageError(
      `${onCommandLine.map((n) => `"${n}"`).join(', ')} ${onCommandLine.length === 1 ? 'is a secret' : 'are secrets'}: never pass ${onCommandLine.length === 1 ? 'it' : 'them'} with --param, ` +
        `where other users of this machine can read ${onCommandLine.length === 1 ? 'it' : 'them'} in the process list. Set ${onCommandLine.map(secretEnvName).join(', ')} ` +
        'in the environment instead, or leave it out and type it when asked (in a terminal). Change that secret if it was exposed.',
    );
  }
  for (const d of procedure.parameters) {
    const fromEnv = ctx.io.env[secretEnvName(d.name)];
    if (d.secret && raw[d.name] === undefined && fromEnv !== undefined) raw[d.name] = fromEnv;
  }
  return raw;
}

/**
 * `--secrets-stdin`: secret parameters from a pipe (the launcher that starts a detached run host writes them and
 * closes it), so that they are in no argv, environment or file. Only the procedure's secret parameters are taken.
 */
async function secretsFromStdin(ctx: Ctx, procedure: Procedure): Promise<Record<string, string>> {
  let text = '';
  for await (const chunk of ctx.io.stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > 1_000_000) throw new UsageError('--secrets-stdin: the input is too large to be secret parameters.');
  }
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new UsageError('--secrets-stdin: standard input is not a JSON object of secret parameters ({"name": "value"}).');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError('--secrets-stdin: standard input is not a JSON object of secret parameters ({"name": "value"}).');
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    const def = procedure.parameters.find((d) => d.name === name);
    if (!def?.secret) throw new UsageError(`--secrets-stdin: "${name}" is not a secret parameter of ${procedure.id}; give other parameters with --param or --params-file.`);
    if (typeof v !== 'string') throw new UsageError(`--secrets-stdin: the value of "${name}" must be a string.`);
    out[name] = v;
  }
  return out;
}

/**
 * `--expect-plan F`: the plan a person accepted (in VS Code, after its own comparison with the dry run they reviewed).
 * The run host plans once more; anything that changed in between refuses the start before any step, naming it.
 */
function checkExpectedPlan(ctx: Ctx, plan: Plan): void {
  const file = flag(ctx.args, 'expect-plan');
  if (file === undefined) return;
  let expected: ComparablePlan;
  try {
    const value = JSON.parse(fs.readFileSync(path.resolve(ctx.io.cwd, file), 'utf8')) as Partial<ComparablePlan> | null;
    if (value === null || typeof value !== 'object' || !Array.isArray(value.steps) || !Array.isArray(value.warnings)) throw new Error('it holds no plan (steps and warnings)');
    expected = { steps: value.steps, warnings: value.warnings };
  } catch (err) {
    throw new UsageError(`--expect-plan ${file}: ${err instanceof Error ? err.message : String(err)}.`);
  }
  const changes = planDifferences(expected, plan);
  if (changes.length > 0) throw new PlanChangedError(changes);
}

/** The plan made at start differs from the one the person accepted. */
class PlanChangedError extends Error {
  constructor(readonly changes: string[]) {
    super(`Not started: the plan made now differs from the plan that was accepted:\n${changes.map((c) => `  • ${c}`).join('\n')}\nReview the new plan (backout plan, or Dry Run in VS Code) and start it again.`);
    this.name = 'PlanChangedError';
  }
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
  const prepared = await preparePlan(procedure, rawParams(ctx, id), { executors: planExecutors }, productionSources(ctx, procedure));
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

function execOptions(ctx: Ctx): { prompter: TerminalPrompter; flagsOnly: TerminalPrompter; concurrency?: number; stopOnFirstFailure: boolean } {
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
  const flags = {
    yes: has(ctx.args, 'yes'),
    ...(flag(ctx.args, 'confirm-target') !== undefined ? { confirmTarget: flag(ctx.args, 'confirm-target') as string } : {}),
    ...(ifInterrupted !== undefined ? { ifInterrupted: ifInterrupted as InterruptedChoice } : {}),
    env: ctx.io.env,
  };
  const prompter = new TerminalPrompter({ ...(ctx.io.interactive ? { terminal: { input: ctx.io.stdin, output: ctx.io.stderr } } : {}), ...flags });
  // What the flags answer once the terminal has gone away (SIGHUP); the rest goes to the run folder.
  const flagsOnly = new TerminalPrompter(flags);
  return { prompter, flagsOnly, ...(concurrency !== undefined ? { concurrency } : {}), stopOnFirstFailure: !has(ctx.args, 'continue-on-failure') };
}

function environment(ctx: Ctx, prompter: Prompter): RunEnvironment {
  const host: RunHost = { executors: executors(ctx, prompter), prompter, clock: systemClock, actor: currentActor() };
  return {
    repository: new RunFolderRepository(ctx.root),
    locks: new FileTargetLocks(locksDirectory({ env: ctx.io.env, homedir: ctx.io.homedir }), localLockHost(os.hostname())),
    host,
  };
}

/** Prints journal events; `writer`: this process writes them (run, resume), where the torture failpoint applies. */
function progress(ctx: Ctx, writer = false): { onEvent(e: JournalEvent): void; onLine?(step: string, instance: string, stream: string, text: string): void } {
  const time = (iso: string): string => iso.slice(11, 19);
  const failpoint = writer ? killAtEvent(ctx.io.env) : undefined;
  return {
    onEvent: (e) => {
      failpoint?.(e);
      switch (e.type) {
        case 'step':
          ctx.out(`[${time(e.at)}] ${e.step} / ${e.instance}: ${e.state}${e.reason ? ` — ${e.reason}` : ''}\n`);
          break;
        case 'warning':
          ctx.out(`[${time(e.at)}] warning: ${e.message}\n`);
          break;
        case 'host':
          ctx.out(`[${time(e.at)}] ${e.signal}: ${e.message}\n`);
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
  const { prompter, flagsOnly, ...opts } = execOptions(ctx);
  const host = hostPrompter(ctx, prompter, flagsOnly);
  const env = environment(ctx, host.prompter);
  const raw = { ...rawParams(ctx, id), ...(has(ctx.args, 'secrets-stdin') ? await secretsFromStdin(ctx, procedure) : {}) };
  const prepared = await preparePlan(procedure, raw, env.host, productionSources(ctx, procedure));
  checkExpectedPlan(ctx, prepared.plan);
  if (!host.detached) checkGates(prompter, prepared.plan, () => true);
  const state = await startRun(host.wrap(env), prepared, {
    ...opts,
    signal: ctx.io.signal,
    ...progress(ctx, true),
    ...runHost(ctx, host),
    onStarted: (runId, location) => {
      ctx.runFolder = location;
      ctx.out(`Run ${runId} started in ${location}\n`);
    },
  });
  return finishRun(ctx, env, state);
}

interface HostPrompter {
  prompter: DetachablePrompter;
  /** Started with --detached: nobody at a terminal from the start. */
  detached?: DetachedHost;
  /** Journals a notice once the run is recorded (stderr before). */
  notice(message: string): void;
  wrap(env: RunEnvironment): RunEnvironment;
  socket: SocketPrompter;
}

/**
 * The run host's prompter: the terminal while there is one; with --detached, the run folder and the run's socket
 * from the moment this process owns the run. The socket is opened (and closed at the end) by this process only.
 */
function hostPrompter(ctx: Ctx, prompter: TerminalPrompter, flagsOnly: TerminalPrompter): HostPrompter {
  const detachedFlag = has(ctx.args, 'detached');
  const readyFd = flag(ctx.args, 'ready-fd');
  if (readyFd !== undefined && !detachedFlag) throw new UsageError('--ready-fd goes with --detached (it tells the launcher of a detached run host where the run is).');
  const fd = readyFd === undefined ? undefined : Number(readyFd);
  if (fd !== undefined && (!Number.isInteger(fd) || fd < 3)) throw new UsageError(`--ready-fd needs a descriptor number of 3 or more; got "${readyFd}".`);
  const journal: { warn?: (m: string) => Promise<void> } = {};
  const notice = (message: string): void => {
    if (journal.warn) void journal.warn(message).catch(() => undefined);
    else ctx.err(`backout: ${message}\n`);
  };
  // Detached from the start: no terminal questions (the terminal prompter would refuse them), input never "ends".
  const detachable = new DetachablePrompter(detachedFlag ? flagsOnly : prompter, flagsOnly, () => (detachedFlag ? false : ctx.io.stdin.readableEnded));
  const detached = detachedFlag
    ? new DetachedHost({
        prompter: detachable,
        notice,
        ...(fd !== undefined ? { readyFd: fd } : {}),
        onReady: (_runId, location) => {
          ctx.runFolder = location;
        },
      })
    : undefined;
  const socket = detached?.socket ?? new SocketPrompter({ location: () => ctx.runFolder, notice });
  ctx.closers.push(() => socket.close());
  ctx.journalWarn = (warn) => {
    journal.warn = warn;
  };
  return { prompter: detachable, ...(detached ? { detached } : {}), notice, socket, wrap: (env) => detached?.wrap(env) ?? env };
}

/**
 * The CLI as a run host: it honours cancel requests written into the run folder, journals the signals it receives,
 * and when its terminal goes away (SIGHUP) keeps the run going, its questions answered through the run folder and
 * its socket.
 */
function runHost(ctx: Ctx, host: HostPrompter): Pick<StartOptions, 'control' | 'onRunner'> {
  const prompter = host.prompter;
  return {
    control: (location) => new RunControlFiles(location),
    onRunner: (run) => {
      ctx.journalWarn?.((m) => run.warn(m));
      ctx.io.signals?.on((sig) => {
        if (sig === 'SIGHUP') {
          if (prompter.detached || !ctx.runFolder) return;
          const control = new RunControlFiles(ctx.runFolder);
          prompter.detach(new FolderPrompter({ runId: run.runId, control, clock: systemClock, notice: (message) => host.notice(message) }), host.socket);
          void host.socket.listen().catch(() => undefined);
          void run
            .hostEvent('SIGHUP', `The terminal went away (SIGHUP): the run goes on without it. Follow it and answer its questions with \`backout attach ${run.runId}\`.`)
            .catch(() => undefined);
        } else {
          void run.hostEvent(sig, `${sig} received: cancelling the run (it can be resumed).`).catch(() => undefined);
        }
      });
    },
  };
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
  const { prompter, flagsOnly, ...opts } = execOptions(ctx);
  const host = hostPrompter(ctx, prompter, flagsOnly);
  const env = environment(ctx, host.prompter);
  const loaded = await loadRun(await env.repository.open(runId));
  if (!host.detached) checkGates(prompter, loaded.state.plan, (step, instance) => !isDone((loaded.state.units.get(unitKey(step, instance)) as UnitState).state));
  const state = await resumeRun(host.wrap(env), runId, {
    ...opts,
    signal: ctx.io.signal,
    ...progress(ctx, true),
    ...runHost(ctx, host),
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
  const locks = new FileTargetLocks(locksDirectory({ env: ctx.io.env, homedir: ctx.io.homedir }), localLockHost(os.hostname()));
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

/** The live process holding a run's target lock for this run, if any (a holder on another host counts as live). */
async function liveHolder(ctx: Ctx, state: RunState): Promise<LockHolder | undefined> {
  const here = localLockHost(os.hostname());
  const locks = new FileTargetLocks(locksDirectory({ env: ctx.io.env, homedir: ctx.io.homedir }), here);
  const holder = await locks.holder(state.plan.target).catch(() => undefined);
  return holder && holder.runId === state.runId && !isStale(holder, here) ? holder : undefined;
}

function actorName(): string {
  const a = currentActor();
  return `${a.user}@${a.host}`;
}

async function cmdCancel(ctx: Ctx): Promise<number> {
  const runId = needOne(ctx.args, 'run id');
  const storage = await new RunFolderRepository(ctx.root).open(runId);
  const { state } = await loadRun(storage);
  if (state.status !== 'unfinished') throw new UsageError(`Run ${runId} has ended (${state.status}); there is nothing to cancel.`);
  const holder = await liveHolder(ctx, state);
  if (!holder) throw new UsageError(`Run ${runId} is not running (it was interrupted); there is nothing to cancel. Resume it with \`backout resume ${runId}\`, or leave it.`);
  // A request in the run folder, honoured by the run host: no process is signalled.
  new RunControlFiles(storage.location).requestCancel({ runId, by: actorName(), via: 'backout cancel', at: new Date().toISOString() });
  ctx.out(`Cancel requested for run ${runId} (run by pid ${holder.pid} on ${holder.hostname}); it stops at the next point it can and says so in its journal.\n`);
  return EXIT.ok;
}

/**
 * Follows a run from its folder: prints its journal as it grows and answers the questions its run host writes
 * there (gates, "what happened to this step") from this terminal or the flags. Ends when the run ends, when its
 * run host is gone, or on Ctrl-C (which only detaches: the run goes on).
 */
async function cmdAttach(ctx: Ctx): Promise<number> {
  const runId = needOne(ctx.args, 'run id');
  const storage = await new RunFolderRepository(ctx.root).open(runId);
  const { prompter } = execOptions(ctx);
  const show = progress(ctx);
  const refusedNote = (title: string, problem: string): void => ctx.err(`backout: the run host refused the answer to "${title}": ${problem}\n`);
  const attach = new AttachClient(runId, storage.location, {
    by: actorName(),
    get via() {
      return `backout attach (${prompter.via ?? 'terminal'})`;
    },
    folder: (question, signal) =>
      answerQuestion(prompter, question, AbortSignal.any([signal, ctx.io.signal])).catch((err: unknown) => {
        if (err instanceof ConfirmationRequiredError) {
          ctx.err(`backout: the run waits for an answer to "${question.title}", and none can be given here: ${err.how}\n`);
          return undefined;
        }
        throw err;
      }),
    // Secrets and host keys: typed here, sent over the run's socket (never a file).
    socket: (question, signal) => answerSocketQuestion(prompter, question, AbortSignal.any([signal, ctx.io.signal])),
    refused: refusedNote,
  });
  ctx.closers.push(async () => attach.close());
  let offset = 0;
  let lineNo = 0;
  ctx.out(`Attached to run ${runId} in ${storage.location} (Ctrl-C detaches; the run goes on).\n`);
  for (;;) {
    const text = await storage.readJournal();
    const complete = text.lastIndexOf('\n') + 1;
    if (complete > offset) {
      const chunk = text.slice(offset, complete);
      offset = complete;
      for (const event of parseJournal(chunk, storage.journalName).events) {
        lineNo++;
        show.onEvent(event);
      }
    }
    const { state } = await loadRun(storage);
    if (state.status !== 'unfinished' && state.status !== 'not-started') {
      ctx.out(`Run ${runId}: ${state.status}.\n`);
      return state.status === 'succeeded' ? EXIT.ok : state.status === 'failed' ? EXIT.runFailed : EXIT.runCancelled;
    }
    await attach.poll();
    if (!(await liveHolder(ctx, state))) {
      ctx.out(`Run ${runId} is not running any more (its run host is gone, ${lineNo} journal events read). Resume it with \`backout resume ${runId}\`.\n`);
      return EXIT.runCancelled;
    }
    try {
      await systemClock.sleep(200, ctx.io.signal);
    } catch {
      ctx.out(`Detached from run ${runId}; it goes on.\n`);
      return EXIT.ok;
    }
  }
}

/** Asks a question the run host sent over its socket, here; undefined declines. */
async function answerSocketQuestion(prompter: TerminalPrompter, q: SocketQuestion, signal: AbortSignal): Promise<string | undefined> {
  switch (q.kind) {
    case 'secret':
      return prompter.askSecret({ title: q.title, prompt: q.prompt, ...(q.name !== undefined ? { name: q.name } : {}), signal });
    case 'confirm':
      return (await prompter.confirm({ title: q.title, target: q.target, ...(q.detail !== undefined ? { detail: q.detail } : {}), signal })) ? 'yes' : 'no';
    case 'pick':
      return prompter.pick({ title: q.title, ...(q.detail !== undefined ? { detail: q.detail } : {}), options: q.options, signal });
  }
}

/** Asks a question the run host wrote, here; the answer as the folder protocol carries it. */
async function answerQuestion(prompter: TerminalPrompter, q: FolderQuestion, signal: AbortSignal): Promise<string | undefined> {
  const about = { title: q.title, target: q.target ?? '', ...(q.detail !== undefined ? { detail: q.detail } : {}), signal };
  switch (q.kind) {
    case 'confirm':
      return (await prompter.confirm(about)) ? 'yes' : 'no';
    case 'typeToConfirm':
      // The run host checks the typed name against the target's; here it is only passed on.
      return (await prompter.typeToConfirm({ ...about, expected: q.expected ?? '' })) ? (q.expected ?? '') : '';
    case 'pick':
      return (await prompter.pick({ title: q.title, ...(q.detail !== undefined ? { detail: q.detail } : {}), options: q.options ?? [], signal })) ?? '';
  }
}
