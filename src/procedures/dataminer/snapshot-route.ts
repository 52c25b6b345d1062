// Route A, VM snapshot restore (preferred by the vendor): a guided checklist whose evidence the run records (which
// snapshot, taken when, before which upgrade; the database VM; a remote database's own procedure), optionally
// automated through a hypervisor preset: list the snapshots, pick the newest taken before the upgrade, power off,
// revert, power on, and verify each Agent's version afterwards.
import type { JsonObject } from '../../core/json';
import type { CheckAction, PlanDraft, Step, StepInstance } from '../../core/plan';
import type { AgentRef } from './agents';
import { currentVersion } from '../../core/dataminer/agent-output';
import { DowngradeInputError } from './errors';
import type { DmsFacts } from './facts';
import { PRESETS, renderHypervisorAction, type HypervisorKind, type HypervisorOperation, type HypervisorPlace } from './hypervisor-presets';
import { lastVersionPattern } from './package-route';
import { newestBefore, parseSnapshotListing, parseTime, type Snapshot } from './snapshots';
import { SRC } from './sources';
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

const MIN = 60_000;
const OFFLINE_AGENT: AgentRef = { name: 'each-agent', address: 'each-agent' };

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

function expectedVersion(input: SnapshotRouteInput, history: DmsFacts['agents'][number]['history'] | undefined): DmVersion | undefined {
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
  return {
    id: 'wait-vms-running',
    title: 'Wait until every VM runs',
    source: SRC.snapshotMethod,
    kind: 'wait',
    destructive: false,
    idempotent: true,
    timeoutMs: 15 * MIN,
    instances: machines.map((m) => ({
      instance: m.instance,
      action: { kind: 'wait', description: `VM ${m.vm} is running`, until: hv(input, 'state', m), intervalMs: 2000, succeedWhenOutputMatches: preset.runningPattern },
    })),
  };
}

export function planSnapshotRoute(input: SnapshotRouteInput): PlanDraft {
  const warnings: string[] = [];
  const agents = input.facts?.agents ?? [];
  const offline = input.facts === undefined;
  const upgradeTimeOf = (history: DmsFacts['agents'][number]['history'] | undefined): string | undefined => {
    if (input.upgradeTime !== undefined) return isoOf(input.upgradeTime);
    const last = history === undefined ? undefined : currentVersion(history);
    return last === undefined ? undefined : isoOf(last.installedAt);
  };
  if (input.upgradeTime !== undefined && isoOf(input.upgradeTime) === undefined) {
    throw new DowngradeInputError(`upgradeTime "${input.upgradeTime}" is not a time; write it as 2024-05-02T10:00:00Z.`);
  }
  const machines: Machine[] = offline
    ? [{ instance: OFFLINE_AGENT.name, role: 'agent', vm: input.vms[OFFLINE_AGENT.name] ?? '{vm}', ...(input.upgradeTime ? { upgradeTime: isoOf(input.upgradeTime) as string } : {}) }]
    : agents.map((f) => {
        const t = upgradeTimeOf(f.history);
        return { instance: f.agent.name, role: 'agent' as const, vm: input.vms[f.agent.name] ?? f.agent.name, ...(t ? { upgradeTime: t } : {}) };
      });
  if (input.upgradeTime === undefined && !offline) {
    warnings.push('The upgrade time is taken from each Agent\'s VersionHistory.txt (the Agent\'s clock, read as UTC); give upgradeTime if the hypervisor\'s clock differs.');
  }
  const earliest = machines.map((m) => m.upgradeTime).filter((t): t is string => t !== undefined).sort()[0];
  if (input.databaseVm !== undefined) {
    const instance = `db-${input.databaseVm}`.replace(/[^A-Za-z0-9._-]/g, '-');
    if (machines.some((m) => m.instance === instance)) {
      throw new DowngradeInputError(`The database VM's step instance "${instance}" has the name of an Agent; rename the Agent in the inventory or give the database VM another name.`);
    }
    machines.push({ instance, role: 'database', vm: input.databaseVm, ...(earliest ? { upgradeTime: earliest } : {}) });
  }

  const automated = input.hypervisor !== 'none' && !offline;
  if (automated) for (const m of machines) m.snapshot = chooseSnapshot(input, m);
  if (!automated && input.snapshotTime !== undefined) {
    const t = isoOf(input.snapshotTime);
    if (t === undefined) throw new DowngradeInputError(`snapshotTime "${input.snapshotTime}" is not a time; write it as 2024-05-02T09:30:00Z.`);
    if (earliest !== undefined && Date.parse(t) >= Date.parse(earliest)) {
      throw new DowngradeInputError(`The snapshot taken at ${t} does not predate the upgrade at ${earliest}: restoring it would not undo the upgrade. Choose a snapshot from before the update.`);
    }
  }
  if (!automated && (input.snapshotName === undefined || input.snapshotTime === undefined)) {
    warnings.push('Record the snapshot as evidence: give snapshotName and snapshotTime (the run keeps them with the plan).');
  }
  if (offline) warnings.push('Planned offline, for review: "each-agent" stands for every Agent. To run it, plan against the DMS with --param agents=….');
  if (offline && input.hypervisor !== 'none') warnings.push('Planned offline: the snapshot to restore is chosen from the hypervisor\'s list when planned against the DMS.');

  const evidence = machines
    .map((m) => `${m.instance}: VM ${m.vm}, snapshot ${m.snapshot ? `"${m.snapshot.name}" taken ${m.snapshot.createdAt}` : `"${input.snapshotName ?? '(to record)'}" taken ${input.snapshotTime ?? '(to record)'}`}, upgrade at ${m.upgradeTime ?? '(unknown)'}`)
    .join('; ');
  const steps: Step[] = [
    {
      id: 'snapshot-evidence',
      title: 'Confirm the snapshots to restore predate the upgrade',
      source: SRC.snapshotRequirement,
      kind: 'manual',
      destructive: false,
      idempotent: true,
      timeoutMs: 24 * 3600_000,
      instances: [
        {
          instance: 'operator',
          action: {
            kind: 'manual',
            instructions:
              `DMS ${input.dms}: ${evidence}. Everything written to these VMs after the snapshot is lost when it is restored. ` +
              'Confirm each snapshot was taken before the update started and that this data loss is accepted.',
          },
        },
      ],
    },
  ];
  const agentMachines = machines.filter((m) => m.role === 'agent');
  const dbMachines = machines.filter((m) => m.role === 'database');
  if (automated) {
    steps.push(hvStep(input, 'list-snapshots', 'List the VM snapshots (evidence for the run record)', 'list', machines, { destructive: false, idempotent: true }));
    steps.push(hvStep(input, 'power-off-vms', 'Power off the VMs', 'stop', machines, { destructive: true, idempotent: false }, 'off'));
    steps.push(hvStep(input, 'revert-snapshots', 'Revert each VM to its snapshot from before the upgrade', 'revert', machines, { destructive: true, idempotent: true }));
  } else {
    steps.push({
      id: 'restore-snapshots',
      title: 'Restore each Agent VM to its snapshot from before the upgrade',
      source: `${SRC.snapshotPreferred}; ${SRC.snapshotMethod}`,
      kind: 'manual',
      destructive: true,
      idempotent: false,
      timeoutMs: 24 * 3600_000,
      instances: agentMachines.map((m) => ({
        instance: m.instance,
        action: { kind: 'manual', instructions: `Power off VM ${m.vm}, revert it to snapshot "${input.snapshotName ?? '(the one taken before the upgrade)'}" in your hypervisor, and leave it powered off until the database is restored.` },
      })),
    });
    if (dbMachines.length > 0) {
      steps.push({
        id: 'restore-database-vm',
        title: 'Restore the database VM snapshot',
        source: SRC.databaseVm,
        kind: 'manual',
        destructive: true,
        idempotent: false,
        timeoutMs: 24 * 3600_000,
        instances: dbMachines.map((m) => ({ instance: m.instance, action: { kind: 'manual', instructions: `Revert database VM ${m.vm} to its snapshot from before the upgrade (a major update can change the database schema).` } })),
      });
    }
  }
  if (input.remoteDatabase) {
    steps.push({
      id: 'restore-remote-database',
      title: 'Roll back the remote database cluster with its own procedure',
      source: SRC.remoteDatabase,
      kind: 'manual',
      destructive: true,
      idempotent: false,
      timeoutMs: 24 * 3600_000,
      instances: [
        {
          instance: 'operator',
          action: {
            kind: 'manual',
            instructions:
              'Follow your in-house procedure to roll back the data and schema of the remote database cluster to before the upgrade. For Cassandra, ' +
              'restoring the snapshots taken before the upgrade (nodetool listsnapshots on each node) may be preferable to a VM snapshot.',
          },
        },
      ],
    });
  }
  if (automated) {
    // A snapshot of a running VM comes back running: only the others are started; all are then waited for.
    const toStart = machines.filter((m) => m.snapshot?.state !== 'running');
    if (toStart.length > 0) steps.push(hvStep(input, 'power-on-vms', 'Power on the VMs', 'start', toStart, { destructive: false, idempotent: false }, 'running'));
    steps.push(waitRunningStep(input, machines));
  } else if (!offline) {
    steps.push({
      id: 'power-on-vms',
      title: 'Power on the Agent VMs',
      source: SRC.snapshotMethod,
      kind: 'manual',
      destructive: false,
      idempotent: true,
      timeoutMs: 24 * 3600_000,
      instances: agentMachines.map((m) => ({ instance: m.instance, action: { kind: 'manual', instructions: `Power on VM ${m.vm}.` } })),
    });
  }

  const expected: Array<{ agent: string; version: string }> = [];
  const verifyInstances: StepInstance[] = [];
  const targetsForVerify = offline ? [{ agent: OFFLINE_AGENT, shell: 'cmd' as const, paths: DEFAULT_AGENT_PATHS, history: undefined }] : agents;
  for (const f of targetsForVerify) {
    const v = expectedVersion(input, f.history);
    if (v === undefined) {
      warnings.push(`${f.agent.name}: the version before the upgrade is unknown (VersionHistory.txt has one line); give --param to=<version> to verify it after the restore.`);
      continue;
    }
    expected.push({ agent: f.agent.name, version: formatVersion(v) });
    verifyInstances.push({
      instance: f.agent.name,
      action: {
        kind: 'wait',
        description: `${f.agent.name} answers and runs ${formatVersion(v)}`,
        until: { kind: 'ssh', host: f.agent.name, command: readVersionHistory(f.paths, f.shell).line },
        intervalMs: 10_000,
        succeedWhenOutputMatches: lastVersionPattern(v, false),
      },
    });
  }
  if (verifyInstances.length > 0) {
    steps.push({
      id: 'verify-agent-versions',
      title: 'Verify every Agent runs the version from before the upgrade',
      source: `${SRC.snapshotPreferred}; ${SRC.verifyEach}`,
      kind: 'wait',
      destructive: false,
      idempotent: true,
      timeoutMs: 60 * MIN,
      instances: verifyInstances,
    });
  }

  const extra: JsonObject = {
    route: 'snapshot',
    dms: input.dms,
    packages: [],
    moduleSwap: false,
    hypervisor: input.hypervisor,
    hypervisorHost: input.place.where === 'ssh' ? input.place.host : 'local',
    snapshots: machines.map((m) => ({ instance: m.instance, vm: m.vm, snapshot: m.snapshot?.name ?? input.snapshotName ?? null, createdAt: m.snapshot?.createdAt ?? (input.snapshotTime ? (isoOf(input.snapshotTime) ?? null) : null), upgradeTime: m.upgradeTime ?? null })),
    expectedVersions: expected,
    agents: agents.map((f) => ({ name: f.agent.name, address: f.agent.address, version: formatVersion(f.running), build: f.running.raw, shell: f.shell })),
    timeEstimate: estimateJson(snapshotRouteEstimate()),
  };
  return { steps, warnings, extra };
}
