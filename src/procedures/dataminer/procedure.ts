// The procedure "DataMiner: downgrade a DMS" (MOP "Downgrading a DMS"), both routes: A, VM snapshot restore
// (preferred); B, downgrade with DataMiner packages. Facts are read first and read-only; the plan is decided from
// them by the pure planners in package-route.ts and snapshot-route.ts.
import { BackoutError } from '../../core/errors';
import type { ParameterDefinition } from '../../core/parameters';
import type { ParamValues, PlanDraft, TargetRef } from '../../core/plan';
import type { FactsContext, Procedure } from '../../core/procedure';
import { parseAgents, agentsProblem, type AgentRef } from './agents';
import { DowngradeInputError } from './errors';
import { gatherDmsFacts, gatherModuleFacts, gatherPackagePresence, type DmsFacts } from './facts';
import { HYPERVISOR_KINDS, HYPERVISOR_OPERATIONS, PRESETS, renderHypervisorAction, templateProblem, type HypervisorKind, type HypervisorOperation, type HypervisorPlace, type HypervisorShell } from './hypervisor-presets';
import { planPackageRoute, routeDecisions, type Choice, type UpgradeScope } from './package-route';
import { PackageProblemError } from './errors';
import type { PackageInspection, PackageTool } from '../../core/dataminer/package-tool';
import { parsePackages, packagesProblem } from './packages';
import { planSnapshotRoute } from './snapshot-route';
import { BACKUP_CHOICES, backupChoice } from './backup';
import { parseVersion, versionProblem, type DmVersion } from './version';

export const PROCEDURE_ID = 'dataminer.downgrade';

export interface DowngradeFacts {
  dms?: DmsFacts;
  inspections: Record<string, PackageInspection>;
  /** Snapshot list output per VM (route A with a hypervisor preset). */
  listings: Record<string, string[]>;
}

// When the route's parameters matter: Start Rollback asks only those of the route (and hypervisor) chosen.
const ROUTE_A = { route: ['snapshot'] } as const;
const ROUTE_B = { route: ['package'] } as const;
const WITH_HYPERVISOR = { route: ['snapshot'], hypervisor: HYPERVISOR_KINDS } as const;

const templateParams: ParameterDefinition[] = HYPERVISOR_OPERATIONS.map((op) => ({
  name: `${op}Template`,
  type: 'string',
  required: false,
  appliesWhen: WITH_HYPERVISOR,
  advanced: true,
  description: `Route A: replaces the preset's "${op}" command template ({vm}${op === 'revert' ? ', {snapshot}' : ''} are filled in).`,
  validate: (v: string) => templateProblem(op, v),
}));

export const PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'route',
    type: 'enum',
    values: ['snapshot', 'package'],
    valueDescriptions: {
      snapshot: 'Route A (preferred by the vendor): restore the VM snapshots taken before the upgrade.',
      package: 'Route B: install the upgrade packages of the older version, one per major version stepped back.',
    },
    description: 'snapshot: restore VM snapshots (route A, preferred by the vendor); package: downgrade with DataMiner upgrade packages (route B).' },
  { name: 'dms', type: 'string', default: 'dms', description: 'Name of the DataMiner System (the run locks it and names it in every prompt).', pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,62}', patternDescription: 'letters, digits, . _ - (up to 63)' },
  { name: 'agents', type: 'string', required: false, description: 'The Agents: name[=address] separated by commas (name: inventory name or SSH alias; address: as in UpgradeInfo.xml). Without it the plan is made offline.', validate: agentsProblem, advanced: true },
  { name: 'production', type: 'boolean', default: false, description: 'The DMS is production: destructive steps need its name typed.', advanced: true },
  { name: 'from', type: 'string', required: false, description: 'The version the DMS runs (offline planning; read from the Agents otherwise, and must agree).', validate: versionProblem, advanced: true },
  { name: 'to', type: 'string', required: false, description: 'The version to go back to (route B: required; route A: the version to verify after the restore, default the one before the upgrade).', validate: versionProblem },
  { name: 'packages', type: 'string', required: false, description: 'Route B: the upgrade packages in installation order, separated by ";": a local .dmupgrade file, or agent:C:\\... for one already on the Agent that runs the upgrade (every Agent with upgradeScope=each-agent).', validate: packagesProblem, appliesWhen: ROUTE_B },
  { name: 'moduleSwap', type: 'enum', values: ['auto', 'yes', 'no'], default: 'auto', description: 'Route B: the StorageModule/UserDefinableApiEndpoint swap. auto follows the MOP and asks (refuses with the question) where it is ambiguous.', appliesWhen: ROUTE_B, advanced: true },
  { name: 'fixPrerequisite', type: 'enum', values: ['auto', 'yes', 'no'], default: 'auto', description: 'Route B: where the VerifyNatsIsRunning known issue applies (a package before 10.4.0/10.4.3 installed while the DMA runs 10.4.0/10.4.3 or later), install a copy of that package without Update.zip\\Prerequisites\\VerifyNatsIsRunning.dll (the original is never changed); never elsewhere. no: install it as it is.', appliesWhen: ROUTE_B, advanced: true },
  { name: 'upgradeScope', type: 'enum', values: ['cluster', 'each-agent'], default: 'cluster', description: 'Route B: cluster runs the Taskbar Utility upgrade on the first Agent for the whole cluster (UpgradeInfo.xml lists every Agent); each-agent runs it on every Agent at once for itself.', appliesWhen: ROUTE_B, advanced: true },
  { name: 'upgradeTimeoutMinutes', type: 'number', default: 120, min: 5, max: 24 * 60, integer: true, description: 'Route B: how long one package may take to complete on the cluster.', appliesWhen: ROUTE_B, advanced: true },
  { name: 'backup', type: 'enum', values: [...BACKUP_CHOICES], default: 'taskbar-utility', description: 'Route B: the backup before the first package (upgrade MOP). taskbar-utility: SLTaskbarUtility.exe -backup on every Agent; evidence: you took one (say where in backupNote); skip: none (say why in backupNote).', appliesWhen: ROUTE_B, advanced: true },
  { name: 'backupNote', type: 'string', required: false, description: 'Route B: with backup=evidence, where the backup is; with backup=skip, why there is none (recorded with the run).', appliesWhen: { route: ['package'], backup: ['evidence', 'skip'] } },
  { name: 'acknowledgeNoNatsRollback', type: 'boolean', default: false, description: 'Route B, from 10.6.0/10.6.1 or later to a version before 10.5.0 [CU2]/10.5.5: acknowledge the vendor\'s statement that migrating back from BrokerGateway-managed NATS is no longer possible (recorded in the journal).', appliesWhen: ROUTE_B, advanced: true },
  { name: 'hypervisor', type: 'enum', values: ['none', ...HYPERVISOR_KINDS], default: 'none', description: 'Route A: automate the restore with a hypervisor preset (none: a guided manual checklist).', appliesWhen: ROUTE_A },
  { name: 'hypervisorHost', type: 'string', default: '', description: 'Route A: SSH name of the hypervisor host the commands run on; empty runs them on this machine.', appliesWhen: WITH_HYPERVISOR },
  {
    name: 'hypervisorShell',
    type: 'enum',
    values: ['auto', 'posix', 'cmd', 'powershell'],
    default: 'auto',
    description: 'Route A over SSH: the shell of the hypervisor host\'s SSH server (cmd or powershell: the DefaultShell of Windows OpenSSH). auto: cmd for Hyper-V, posix for the others.',
    appliesWhen: WITH_HYPERVISOR,
    advanced: true,
  },
  { name: 'vms', type: 'string', default: '', description: 'Route A: VM name per Agent as agent=vm separated by commas (default: the Agent\'s name).', appliesWhen: WITH_HYPERVISOR, advanced: true },
  { name: 'upgradeTime', type: 'string', required: false, description: 'Route A: when the upgrade started (ISO 8601); default: when the current version was installed (VersionHistory.txt).', appliesWhen: ROUTE_A, advanced: true },
  { name: 'snapshotName', type: 'string', required: false, description: 'Route A: the snapshot restored (evidence; with a preset it replaces the automatic choice).', appliesWhen: ROUTE_A, advanced: true },
  { name: 'snapshotTime', type: 'string', required: false, description: 'Route A, manual: when that snapshot was taken (must predate the upgrade).', appliesWhen: { route: ['snapshot'], hypervisor: ['none'] }, advanced: true },
  { name: 'databaseVm', type: 'string', required: false, description: 'Route A: a separate database VM to restore as well.', appliesWhen: ROUTE_A, advanced: true },
  { name: 'remoteDatabase', type: 'boolean', default: false, description: 'Route A: the database is a remote cluster (e.g. Cassandra) rolled back with its own procedure.', appliesWhen: ROUTE_A, advanced: true },
  ...templateParams,
];

function text(params: ParamValues, name: string): string | undefined {
  const v = params[name];
  return v === undefined || v === '' ? undefined : String(v);
}

function agentsOf(params: ParamValues): AgentRef[] {
  const a = text(params, 'agents');
  return a === undefined ? [] : parseAgents(a);
}

function parseVms(params: ParamValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text(params, 'vms') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new DowngradeInputError(`vms entry "${pair}" must be agent=vm.`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function templatesOf(params: ParamValues, kind: HypervisorKind): Record<HypervisorOperation, string> {
  const t = { ...PRESETS[kind].templates };
  for (const op of HYPERVISOR_OPERATIONS) {
    const edited = text(params, `${op}Template`);
    if (edited !== undefined) t[op] = edited;
  }
  return t;
}

function placeOf(params: ParamValues): HypervisorPlace {
  const host = text(params, 'hypervisorHost');
  if (host === undefined) return { where: 'local' };
  const given = params.hypervisorShell;
  const shell: HypervisorShell = given === 'posix' || given === 'cmd' || given === 'powershell' ? given : params.hypervisor === 'hyperv' ? 'cmd' : 'posix';
  return { where: 'ssh', host, shell };
}

function versionParam(params: ParamValues, name: string): DmVersion | undefined {
  const v = text(params, name);
  return v === undefined ? undefined : parseVersion(v);
}

/** The version the DMS runs: read from the Agents; `from`, when also given, must agree. */
function currentOf(params: ParamValues, facts: DmsFacts | undefined): DmVersion {
  const given = versionParam(params, 'from');
  if (facts !== undefined) {
    const read = facts.version;
    const sameRelease = given !== undefined && given.major === read.major && given.minor === read.minor && given.release === read.release;
    if (given !== undefined && (!sameRelease || (read.cuUnknown !== true && given.cu !== 0 && given.cu !== read.cu))) {
      throw new DowngradeInputError(`from=${given.raw} was given, but the Agents run ${read.raw}. Leave from out (it is read from the Agents) or correct it.`);
    }
    // A build string without -CUn does not say the CU: a `from` that names one answers the question.
    if (given !== undefined && read.cuUnknown === true && /CU\s*\d+|^\d+\.\d+\.\d+\.\d+$/i.test(given.raw)) {
      const answered: DmVersion = { ...read, cu: given.cu };
      delete answered.cuUnknown;
      return answered;
    }
    return read;
  }
  if (given === undefined) throw new DowngradeInputError('Planning offline (no agents given) needs the current version: --param from=<version>.');
  return given;
}

async function gatherFacts(tool: PackageTool | undefined, ctx: FactsContext): Promise<DowngradeFacts> {
  const { params } = ctx;
  const agents = agentsOf(params);
  const facts: DowngradeFacts = { inspections: {}, listings: {} };
  if (params.route === 'package') {
    const packages = parsePackages(text(params, 'packages') ?? '');
    for (const p of packages) {
      if (p.where !== 'local') continue;
      if (tool === undefined) continue;
      try {
        facts.inspections[p.path] = await tool.inspect(p.path, ctx.signal);
      } catch (err) {
        // Backout's own failures (e.g. its package tool missing) say what to do themselves; the rest is the package's.
        if (err instanceof BackoutError) throw err;
        throw new PackageProblemError(p.path, (err as Error).message.replace(/\.$/, ''), 'Choose a readable .dmupgrade package, then plan again.');
      }
    }
    if (agents.length === 0) return facts;
    facts.dms = await gatherDmsFacts(ctx, String(params.dms), agents);
    const to = versionParam(params, 'to');
    if (to === undefined) throw new DowngradeInputError('Route package needs the version to go back to: --param to=<version>.');
    const decided = routeDecisions({ from: currentOf(params, facts.dms), to, moduleSwap: params.moduleSwap as Choice, acknowledgeNoNatsRollback: params.acknowledgeNoNatsRollback === true });
    if (decided.swap) await gatherModuleFacts(ctx, facts.dms);
    const onAgents = packages.filter((p) => p.where === 'agent').map((p) => p.path);
    if (onAgents.length > 0) await gatherPackagePresence(ctx, facts.dms, onAgents);
    return facts;
  }
  if (agents.length === 0) return facts;
  facts.dms = await gatherDmsFacts(ctx, String(params.dms), agents);
  const hv = params.hypervisor as HypervisorKind | 'none';
  if (hv !== 'none') {
    const vms = parseVms(params);
    const templates = templatesOf(params, hv);
    const place = placeOf(params);
    const all = [...agents.map((a) => vms[a.name] ?? a.name), ...(text(params, 'databaseVm') ? [text(params, 'databaseVm') as string] : [])];
    for (const vm of all) {
      const r = await ctx.read(renderHypervisorAction(PRESETS[hv], templates.list, 'list', { vm }, place));
      if (r.exitCode !== 0) {
        throw new DowngradeInputError(`Listing the snapshots of VM ${vm} on ${place.where === 'ssh' ? place.host : 'this machine'} failed (exit code ${r.exitCode}: ${r.output.slice(-2).join(' | ')}). Check the ${PRESETS[hv].label} preset and access, then plan again.`);
      }
      facts.listings[vm] = r.output;
    }
  }
  return facts;
}

function plan(tool: PackageTool | undefined, params: ParamValues, facts: DowngradeFacts | undefined): PlanDraft {
  const f: DowngradeFacts = facts ?? { inspections: {}, listings: {} };
  const dms = String(params.dms);
  if (params.route === 'package') {
    const to = versionParam(params, 'to');
    if (to === undefined) throw new DowngradeInputError('Route package needs the version to go back to: --param to=<version>.');
    const packages = parsePackages(text(params, 'packages') ?? '');
    if (tool === undefined && packages.some((p) => p.where === 'local')) {
      throw new PackageProblemError(packages.find((p) => p.where === 'local')?.path ?? '', 'local packages cannot be read by this host', 'Run the plan from VS Code or the backout command line, or give agent:C:\\... paths.');
    }
    return planPackageRoute({
      dms,
      from: currentOf(params, f.dms),
      to,
      ...(f.dms ? { facts: f.dms } : {}),
      packages,
      inspections: f.inspections,
      ...(tool ? { tool } : {}),
      moduleSwap: params.moduleSwap as Choice,
      fixPrerequisite: params.fixPrerequisite as Choice,
      upgradeScope: params.upgradeScope as UpgradeScope,
      upgradeTimeoutMinutes: Number(params.upgradeTimeoutMinutes),
      acknowledgeNoNatsRollback: params.acknowledgeNoNatsRollback === true,
      backup: backupChoice(String(params.backup ?? 'taskbar-utility'), text(params, 'backupNote')),
    });
  }
  const hv = params.hypervisor as HypervisorKind | 'none';
  const to = versionParam(params, 'to');
  return planSnapshotRoute({
    dms,
    ...(f.dms ? { facts: f.dms } : {}),
    hypervisor: hv,
    place: placeOf(params),
    templates: hv === 'none' ? { list: '', stop: '', revert: '', start: '', state: '' } : templatesOf(params, hv),
    vms: parseVms(params),
    listings: f.listings,
    ...(text(params, 'upgradeTime') ? { upgradeTime: text(params, 'upgradeTime') as string } : {}),
    ...(to ? { to } : {}),
    ...(text(params, 'snapshotName') ? { snapshotName: text(params, 'snapshotName') as string } : {}),
    ...(text(params, 'snapshotTime') ? { snapshotTime: text(params, 'snapshotTime') as string } : {}),
    ...(text(params, 'databaseVm') ? { databaseVm: text(params, 'databaseVm') as string } : {}),
    remoteDatabase: params.remoteDatabase === true,
  });
}

/**
 * The procedure, given the host's package tool (reading and fixing local packages). Without one, route B accepts
 * only packages already on the Agents.
 */
export function createDowngradeProcedure(tool?: PackageTool): Procedure<DowngradeFacts> {
  return {
    id: PROCEDURE_ID,
    title: 'DataMiner: downgrade a DMS',
    version: '1.0.0',
    description:
      'Downgrades a DataMiner System per the vendor MOP "Downgrading a DMS": route A restores VM snapshots taken before the upgrade ' +
      '(preferred); route B installs DataMiner upgrade packages (one per major version), with the per-Agent module swap and the ' +
      'VerifyNatsIsRunning fix where they apply.',
    parameters: PARAMETERS,
    targetParameter: { name: 'dms', kind: 'dms' },
    target(params: ParamValues): TargetRef {
      const agents = agentsOf(params);
      const dms = String(params.dms);
      return {
        kind: 'dms',
        name: dms,
        production: params.production === true,
        description: agents.length > 0 ? `DMS ${dms} (${agents.length} Agent${agents.length === 1 ? '' : 's'}: ${agents.map((a) => a.name).join(', ')})` : `DMS ${dms} (planned offline)`,
      };
    },
    gatherFacts: (ctx) => gatherFacts(tool, ctx),
    plan: (params, facts) => plan(tool, params, facts),
  };
}

/** The procedure without a package tool (packages already on the Agents only). */
export const dataminerDowngrade = createDowngradeProcedure();
