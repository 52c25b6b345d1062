// Route A, VM snapshot restore (preferred by the vendor): a guided checklist whose evidence the run records (which
// snapshot, taken when, before which upgrade; the database VM; a remote database's own procedure), optionally
// automated through a hypervisor preset: list the snapshots, pick the newest taken before the upgrade, power off,
// revert, power on, and verify each Agent's version afterwards.
import type { JsonObject } from '../../core/json';
import type { CheckAction, PlanDraft, Step, StepInstance, WaitAction } from '../../core/plan';
import { currentVersion } from '../../core/dataminer/agent-output';
import { DowngradeInputError } from './errors';
import type { DmsFacts, PlannedAgentFacts } from './facts';
import { PRESETS, renderHypervisorAction, type HypervisorKind, type HypervisorOperation, type HypervisorPlace } from './hypervisor-presets';
import { lastVersionPattern } from './package-route';
import { newestBefore, parseSnapshotListing, parseTime, type Snapshot } from './snapshots';
import { SRC } from './sources';
import { manualStep, manualSteps, MIN, OFFLINE_AGENT, waitStep } from './step-builders';
import { estimateJson, snapshotRouteEstimate } from './time-estimates';
import { formatVersion, parseVersion, type DmVersion } from './version';
import { DEFAULT_AGENT_PATHS, readVersionHistory } from '../../core/dataminer/windows-commands';

export interface SnapshotRouteInput {
  dms: string;
  facts?: DmsFacts;
  hypervisor: HypervisorKind | 'none';
  place: HypervisorPlace;
  /** The preset's templates with the user's edits applied. */
  templates: Record<HypervisorOperation, string>;
  /** VM name per Agent name (the Agent's name when not mapped). */
  vms: Readonly<Record<string, string>>;
  /** Output lines of the `list` template per VM, read as facts. */
  listings: Readonly<Record<string, string[]>>;
  /** When the upgrade started (overrides VersionHistory.txt). */
  upgradeTime?: string;
  /** The version the Agents must run after the restore (default: the one before the upgrade, from VersionHistory.txt). */
  to?: DmVersion;
  /** Evidence given by the user (manual route), or the snapshot to use instead of the newest before the upgrade. */
  snapshotName?: string;
  snapshotTime?: string;
  databaseVm?: string;
  remoteDatabase: boolean;
}


interface Machine {
  /** Step instance name: the Agent's name, or db-<vm> for the database VM. */
  instance: string;
  /** What the VM holds, from the inventory and parameters: never guessed from a name (an Agent may be called db-01). */
  role: 'agent' | 'database';
  vm: string;
  upgradeTime?: string;
  snapshot?: Snapshot;
}

/** "2023-09-05 14:40:02" from VersionHistory.txt (the Agent's clock, taken as UTC) → ISO. */
function isoOf(text: string): string | undefined {
  const ms = parseTime(text);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function chooseSnapshot(input: SnapshotRouteInput, m: Machine): Snapshot {
  const listing = parseSnapshotListing((input.listings[m.vm] ?? []).join('\n'));
  const found = listing.map((s) => `${s.name} (${s.createdAt})`).join(', ') || 'none';
  if (m.upgradeTime === undefined) {
    throw new DowngradeInputError(`VM ${m.vm}: the upgrade time is unknown, so no snapshot can be chosen. Give it as --param upgradeTime=2024-05-02T10:00:00Z.`);
  }
  if (input.snapshotName !== undefined) {
    const s = listing.find((x) => x.name === input.snapshotName);
    if (s === undefined) throw new DowngradeInputError(`VM ${m.vm}: there is no snapshot named "${input.snapshotName}" (found: ${found}).`);
    if (Date.parse(s.createdAt) >= Date.parse(m.upgradeTime)) {
      throw new DowngradeInputError(`VM ${m.vm}: snapshot "${s.name}" was taken at ${s.createdAt}, not before the upgrade at ${m.upgradeTime}; restoring it would not undo the upgrade.`);
    }
    return s;
  }
  const s = newestBefore(listing, m.upgradeTime);
  if (s === undefined) {
    throw new DowngradeInputError(
      `VM ${m.vm}: no snapshot was taken before the upgrade at ${m.upgradeTime} (found: ${found}). ` +
        'Route A needs a snapshot from before the update; use route=package instead, or give upgradeTime if it is wrong.',
    );
  }
  return s;
}

function expectedVersion(input: SnapshotRouteInput, history: PlannedAgentFacts['history'] | undefined): DmVersion | undefined {
  if (input.to !== undefined) return input.to;
  const previous = history === undefined || history.length < 2 ? undefined : history[history.length - 2];
  if (previous === undefined) return undefined;
  try {
    return parseVersion(previous.build);
  } catch {
    return undefined;
  }
}

function hv(input: SnapshotRouteInput, op: HypervisorOperation, m: Machine): CheckAction {
  if (input.hypervisor === 'none') throw new Error('no hypervisor preset');
  return renderHypervisorAction(PRESETS[input.hypervisor], input.templates[op], op, { vm: m.vm, ...(m.snapshot ? { snapshot: m.snapshot.name } : {}) }, input.place);
}

function hvStep(input: SnapshotRouteInput, id: string, title: string, op: HypervisorOperation, machines: Machine[], flags: { destructive: boolean; idempotent: boolean }, verify?: 'off' | 'running'): Step {
  const kind = input.place.where === 'local' ? 'local' : 'ssh';
  const preset = input.hypervisor === 'none' ? undefined : PRESETS[input.hypervisor];
  return {
    id,
    title,
    source: `${SRC.snapshotPreferred}; ${SRC.snapshotMethod}`,
    kind,
    ...flags,
    timeoutMs: 30 * MIN,
    concurrency: machines.length,
    instances: machines.map((m): StepInstance => {
      const inst: StepInstance = { instance: m.instance, action: hv(input, op, m) };
      if (verify !== undefined && preset !== undefined) {
        inst.verify = { description: `VM ${m.vm} is ${verify === 'off' ? 'powered off' : 'running'}`, action: hv(input, 'state', m), expectOutput: verify === 'off' ? preset.offPattern : preset.runningPattern };
      }
      return inst;
    }),
  };
}

function waitRunningStep(input: SnapshotRouteInput, machines: Machine[]): Step {
  const preset = PRESETS[input.hypervisor as HypervisorKind];
  return waitStep(
    'wait-vms-running',
    'Wait until every VM runs',
    SRC.snapshotMethod,
    15 * MIN,
    machines.map((m) => ({ instance: m.instance, wait: { description: `VM ${m.vm} is running`, until: hv(input, 'state', m), intervalMs: 2000, succeedWhenOutputMatches: preset.runningPattern } })),
  );
}

/** When the upgrade started on an Agent: the upgradeTime parameter, else when its current version was installed. */
function upgradeTimeOf(input: SnapshotRouteInput, history: PlannedAgentFacts['history'] | undefined): string | undefined {
  if (input.upgradeTime !== undefined) return isoOf(input.upgradeTime);
  const last = history === undefined ? undefined : currentVersion(history);
  return last === undefined ? undefined : isoOf(last.installedAt);
}

/** The VMs to restore: one per Agent (or the offline stand-in), and the database VM when there is one. */
function machinesToRestore(input: SnapshotRouteInput): Machine[] {
  const offline = input.facts === undefined;
  const machines: Machine[] = offline
    ? [{ instance: OFFLINE_AGENT.name, role: 'agent', vm: input.vms[OFFLINE_AGENT.name] ?? '{vm}', ...(input.upgradeTime ? { upgradeTime: isoOf(input.upgradeTime) as string } : {}) }]
    : (input.facts?.agents ?? []).map((f) => {
        const t = upgradeTimeOf(input, f.history);
        return { instance: f.agent.name, role: 'agent' as const, vm: input.vms[f.agent.name] ?? f.agent.name, ...(t ? { upgradeTime: t } : {}) };
      });
  const earliest = earliestUpgrade(machines);
  if (input.databaseVm !== undefined) {
    const instance = `db-${input.databaseVm}`.replace(/[^A-Za-z0-9._-]/g, '-');
    if (machines.some((m) => m.instance === instance)) {
      throw new DowngradeInputError(`The database VM's step instance "${instance}" has the name of an Agent; rename the Agent in the inventory or give the database VM another name.`);
    }
    machines.push({ instance, role: 'database', vm: input.databaseVm, ...(earliest ? { upgradeTime: earliest } : {}) });
  }
  return machines;
}

function earliestUpgrade(machines: readonly Machine[]): string | undefined {
  return machines.map((m) => m.upgradeTime).filter((t): t is string => t !== undefined).sort()[0];
}

/** The manual route's evidence: a snapshotTime given must be a time before the upgrade. */
function checkSnapshotTime(input: SnapshotRouteInput, earliest: string | undefined): void {
  if (input.snapshotTime === undefined) return;
  const t = isoOf(input.snapshotTime);
  if (t === undefined) throw new DowngradeInputError(`snapshotTime "${input.snapshotTime}" is not a time; write it as 2024-05-02T09:30:00Z.`);
  if (earliest !== undefined && Date.parse(t) >= Date.parse(earliest)) {
    throw new DowngradeInputError(`The snapshot taken at ${t} does not predate the upgrade at ${earliest}: restoring it would not undo the upgrade. Choose a snapshot from before the update.`);
  }
}

function evidenceStep(input: SnapshotRouteInput, machines: readonly Machine[]): Step {
  const evidence = machines
    .map((m) => `${m.instance}: VM ${m.vm}, snapshot ${m.snapshot ? `"${m.snapshot.name}" taken ${m.snapshot.createdAt}` : `"${input.snapshotName ?? '(to record)'}" taken ${input.snapshotTime ?? '(to record)'}`}, upgrade at ${m.upgradeTime ?? '(unknown)'}`)
    .join('; ');
  return manualStep(
    'snapshot-evidence',
    'Confirm the snapshots to restore predate the upgrade',
    SRC.snapshotRequirement,
    `DMS ${input.dms}: ${evidence}. Everything written to these VMs after the snapshot is lost when it is restored. ` +
      'Confirm each snapshot was taken before the update started and that this data loss is accepted.',
  );
}

/** Power off and revert through the preset, or the manual restore of the Agent VMs and the database VM. */
function restoreSteps(input: SnapshotRouteInput, machines: Machine[], automated: boolean): Step[] {
  if (automated) {
    return [
      hvStep(input, 'list-snapshots', 'List the VM snapshots (evidence for the run record)', 'list', machines, { destructive: false, idempotent: true }),
      hvStep(input, 'power-off-vms', 'Power off the VMs', 'stop', machines, { destructive: true, idempotent: false }, 'off'),
      hvStep(input, 'revert-snapshots', 'Revert each VM to its snapshot from before the upgrade', 'revert', machines, { destructive: true, idempotent: true }),
    ];
  }
  const manual = { destructive: true, idempotent: false };
  const steps = [
    manualSteps(
      'restore-snapshots',
      'Restore each Agent VM to its snapshot from before the upgrade',
      `${SRC.snapshotPreferred}; ${SRC.snapshotMethod}`,
      machines
        .filter((m) => m.role === 'agent')
        .map((m) => ({ instance: m.instance, instructions: `Power off VM ${m.vm}, revert it to snapshot "${input.snapshotName ?? '(the one taken before the upgrade)'}" in your hypervisor, and leave it powered off until the database is restored.` })),
      manual,
    ),
  ];
  const dbMachines = machines.filter((m) => m.role === 'database');
  if (dbMachines.length > 0) {
    steps.push(
      manualSteps(
        'restore-database-vm',
        'Restore the database VM snapshot',
        SRC.databaseVm,
        dbMachines.map((m) => ({ instance: m.instance, instructions: `Revert database VM ${m.vm} to its snapshot from before the upgrade (a major update can change the database schema).` })),
        manual,
      ),
    );
  }
  return steps;
}

function remoteDatabaseStep(): Step {
  return manualStep(
    'restore-remote-database',
    'Roll back the remote database cluster with its own procedure',
    SRC.remoteDatabase,
    'Follow your in-house procedure to roll back the data and schema of the remote database cluster to before the upgrade. For Cassandra, ' +
      'restoring the snapshots taken before the upgrade (nodetool listsnapshots on each node) may be preferable to a VM snapshot.',
    { destructive: true, idempotent: false },
  );
}

/** Start the VMs (through the preset, then wait for them; or by hand). An offline manual plan has nothing to start. */
function powerOnSteps(input: SnapshotRouteInput, machines: Machine[], automated: boolean): Step[] {
  if (automated) {
    // A snapshot of a running VM comes back running: only the others are started; all are then waited for.
    const toStart = machines.filter((m) => m.snapshot?.state !== 'running');
    const start = toStart.length > 0 ? [hvStep(input, 'power-on-vms', 'Power on the VMs', 'start', toStart, { destructive: false, idempotent: false }, 'running')] : [];
    return [...start, waitRunningStep(input, machines)];
  }
  if (input.facts === undefined) return [];
  const agentMachines = machines.filter((m) => m.role === 'agent');
  return [manualSteps('power-on-vms', 'Power on the Agent VMs', SRC.snapshotMethod, agentMachines.map((m) => ({ instance: m.instance, instructions: `Power on VM ${m.vm}.` })))];
}

/** Waits until every Agent answers and runs the version from before the upgrade; warns for those where it is unknown. */
function verifyVersions(input: SnapshotRouteInput, warnings: string[]): { step?: Step; expected: Array<{ agent: string; version: string }> } {
  const expected: Array<{ agent: string; version: string }> = [];
  const instances: Array<{ instance: string; wait: Omit<WaitAction, 'kind'> }> = [];
  const targets = input.facts === undefined ? [{ agent: OFFLINE_AGENT, shell: 'cmd' as const, paths: DEFAULT_AGENT_PATHS, history: undefined }] : input.facts.agents;
  for (const f of targets) {
    const v = expectedVersion(input, f.history);
    if (v === undefined) {
      warnings.push(`${f.agent.name}: the version before the upgrade is unknown (VersionHistory.txt has one line); give --param to=<version> to verify it after the restore.`);
      continue;
    }
    expected.push({ agent: f.agent.name, version: formatVersion(v) });
    instances.push({
      instance: f.agent.name,
      wait: {
        description: `${f.agent.name} answers and runs ${formatVersion(v)}`,
        until: { kind: 'ssh', host: f.agent.name, command: readVersionHistory(f.paths, f.shell).line },
        intervalMs: 10_000,
        succeedWhenOutputMatches: lastVersionPattern(v, false),
      },
    });
  }
  if (instances.length === 0) return { expected };
  return { expected, step: waitStep('verify-agent-versions', 'Verify every Agent runs the version from before the upgrade', `${SRC.snapshotPreferred}; ${SRC.verifyEach}`, 60 * MIN, instances) };
}

/** What `plan --json` shows of route A besides the steps. */
function snapshotRouteJson(input: SnapshotRouteInput, machines: readonly Machine[], expected: Array<{ agent: string; version: string }>): JsonObject {
  return {
    route: 'snapshot',
    dms: input.dms,
    packages: [],
    moduleSwap: false,
    hypervisor: input.hypervisor,
    hypervisorHost: input.place.where === 'ssh' ? input.place.host : 'local',
    snapshots: machines.map((m) => ({ instance: m.instance, vm: m.vm, snapshot: m.snapshot?.name ?? input.snapshotName ?? null, createdAt: m.snapshot?.createdAt ?? (input.snapshotTime ? (isoOf(input.snapshotTime) ?? null) : null), upgradeTime: m.upgradeTime ?? null })),
    expectedVersions: expected,
    agents: (input.facts?.agents ?? []).map((f) => ({ name: f.agent.name, address: f.agent.address, version: formatVersion(f.running), build: f.running.raw, shell: f.shell })),
    timeEstimate: estimateJson(snapshotRouteEstimate()),
  };
}

export function planSnapshotRoute(input: SnapshotRouteInput): PlanDraft {
  const warnings: string[] = [];
  const offline = input.facts === undefined;
  if (input.upgradeTime !== undefined && isoOf(input.upgradeTime) === undefined) {
    throw new DowngradeInputError(`upgradeTime "${input.upgradeTime}" is not a time; write it as 2024-05-02T10:00:00Z.`);
  }
  const machines = machinesToRestore(input);
  if (input.upgradeTime === undefined && !offline) {
    warnings.push('The upgrade time is taken from each Agent\'s VersionHistory.txt (the Agent\'s clock, read as UTC); give upgradeTime if the hypervisor\'s clock differs.');
  }
  const automated = input.hypervisor !== 'none' && !offline;
  if (automated) for (const m of machines) m.snapshot = chooseSnapshot(input, m);
  else checkSnapshotTime(input, earliestUpgrade(machines));
  if (!automated && (input.snapshotName === undefined || input.snapshotTime === undefined)) {
    warnings.push('Record the snapshot as evidence: give snapshotName and snapshotTime (the run keeps them with the plan).');
  }
  if (offline) warnings.push('Planned offline, for review: "each-agent" stands for every Agent. To run it, plan against the DMS with --param agents=….');
  if (offline && input.hypervisor !== 'none') warnings.push('Planned offline: the snapshot to restore is chosen from the hypervisor\'s list when planned against the DMS.');

  const steps: Step[] = [evidenceStep(input, machines), ...restoreSteps(input, machines, automated)];
  if (input.remoteDatabase) steps.push(remoteDatabaseStep());
  steps.push(...powerOnSteps(input, machines, automated));
  const verify = verifyVersions(input, warnings);
  if (verify.step !== undefined) steps.push(verify.step);
  return { steps, warnings, extra: snapshotRouteJson(input, machines, verify.expected) };
}
