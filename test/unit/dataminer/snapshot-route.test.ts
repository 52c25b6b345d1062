import * as assert from 'assert';
import type { LocalAction, PlanDraft, Step } from '../../../src/core/plan';
import { planProblems } from '../../../src/core/plan';
import { DowngradeInputError } from '../../../src/procedures/dataminer/errors';
import { PRESETS } from '../../../src/procedures/dataminer/hypervisor-presets';
import { planSnapshotRoute, type SnapshotRouteInput } from '../../../src/procedures/dataminer/snapshot-route';
import { agent, dms } from './helpers';

const listing = (...rows: Array<[string, string]>): string[] => [' Name   Creation Time   State', '------', ...rows.map(([n, t]) => ` ${n}   ${t}   shutoff`)];

function input(over: Partial<SnapshotRouteInput> = {}): SnapshotRouteInput {
  return {
    dms: 'lab',
    facts: dms([agent('dma-1', '10.3.9.0-13201-20230830-release'), agent('dma-2', '10.3.9.0-13201-20230830-release')]),
    hypervisor: 'libvirt',
    place: { where: 'local' },
    templates: PRESETS.libvirt.templates,
    vms: { 'dma-1': 'vm-dma-1' },
    listings: {
      'vm-dma-1': listing(['weekly', '2023-08-01 00:00:00 +0000'], ['pre-upgrade', '2023-09-05 14:00:00 +0000'], ['after', '2023-09-06 00:00:00 +0000']),
      'dma-2': listing(['pre-upgrade-2', '2023-09-05 13:00:00 +0000']),
    },
    remoteDatabase: false,
    ...over,
  };
}

const step = (d: PlanDraft, id: string): Step => {
  const s = d.steps.find((x) => x.id === id);
  assert.ok(s, `step ${id} in ${d.steps.map((x) => x.id).join(', ')}`);
  return s;
};

describe('route A planner (VM snapshot restore)', () => {
  it('with a preset: lists, powers off, reverts to the newest snapshot before the upgrade, powers on, verifies versions', () => {
    const d = planSnapshotRoute(input());
    assert.deepStrictEqual(d.steps.map((s) => s.id), ['snapshot-evidence', 'list-snapshots', 'power-off-vms', 'revert-snapshots', 'power-on-vms', 'wait-vms-running', 'verify-agent-versions']);
    assert.deepStrictEqual((step(d, 'revert-snapshots').instances[0]?.action as LocalAction).argv, ['virsh', 'snapshot-revert', '--', 'vm-dma-1', 'pre-upgrade']);
    assert.deepStrictEqual((step(d, 'revert-snapshots').instances[1]?.action as LocalAction).argv, ['virsh', 'snapshot-revert', '--', 'dma-2', 'pre-upgrade-2']);
    assert.strictEqual(step(d, 'power-off-vms').destructive, true);
    assert.strictEqual(step(d, 'list-snapshots').idempotent, true);
    assert.strictEqual(step(d, 'power-off-vms').instances[0]?.verify?.expectOutput, PRESETS.libvirt.offPattern);
    const snaps = d.extra?.snapshots as Array<{ snapshot: string; createdAt: string; upgradeTime: string }>;
    assert.deepStrictEqual(snaps[0], { instance: 'dma-1', vm: 'vm-dma-1', snapshot: 'pre-upgrade', createdAt: '2023-09-05T14:00:00.000Z', upgradeTime: '2023-09-05T14:40:02.000Z' });
    assert.deepStrictEqual(d.extra?.packages, []);
    assert.strictEqual(d.extra?.moduleSwap, false);
    assert.deepStrictEqual(planProblems(d.steps), []);
  });

  it('starts only the VMs whose snapshot was taken powered off, then waits for all of them to run', () => {
    const running = (n: string, t: string): string => ` ${n}   ${t}   running`;
    const d = planSnapshotRoute(input({ listings: { ...input().listings, 'dma-2': [running('live', '2023-09-05 13:00:00 +0000')] } }));
    assert.deepStrictEqual(step(d, 'power-on-vms').instances.map((i) => i.instance), ['dma-1']);
    assert.deepStrictEqual(step(d, 'wait-vms-running').instances.map((i) => i.instance), ['dma-1', 'dma-2']);
  });

  it('verifies each Agent runs the version from before the upgrade (VersionHistory.txt), or the one given', () => {
    const d = planSnapshotRoute(input());
    const wait = step(d, 'verify-agent-versions').instances[0]?.action;
    assert.ok(wait?.kind === 'wait');
    assert.ok(new RegExp(wait.succeedWhenOutputMatches ?? '').test('2023-01-20 09:02:11;10.3.5.0-13485-20230615-release\n2024-01-01 00:00:00;10.3.5.0-13485-20230615-release'));
    assert.ok(!new RegExp(wait.succeedWhenOutputMatches ?? '').test('2023-01-20 09:02:11;10.3.5.0-1-20230615-release\n2023-09-05 14:40:02;10.3.9.0-1-20230830-release'));
    assert.deepStrictEqual(d.extra?.expectedVersions, [{ agent: 'dma-1', version: '10.3.5' }, { agent: 'dma-2', version: '10.3.5' }]);
  });

  it('refuses when a VM has no snapshot from before the upgrade, listing what it found', () => {
    assert.throws(
      () => planSnapshotRoute(input({ listings: { 'vm-dma-1': listing(['after', '2023-09-06 00:00:00 +0000']), 'dma-2': [] } })),
      (e: Error) => e instanceof DowngradeInputError && /VM vm-dma-1: no snapshot was taken before the upgrade/.test(e.message) && /after \(2023-09-06/.test(e.message),
    );
  });

  it('uses a named snapshot only when it predates the upgrade', () => {
    assert.throws(() => planSnapshotRoute(input({ snapshotName: 'after' })), /not before the upgrade/);
  });

  it('adds the database VM to the restore and the remote database\'s own procedure as a step', () => {
    const d = planSnapshotRoute(input({ databaseVm: 'cassandra-vm', listings: { ...input().listings, 'cassandra-vm': listing(['db-pre', '2023-09-05 12:00:00 +0000']) }, remoteDatabase: true }));
    assert.deepStrictEqual(step(d, 'revert-snapshots').instances.map((i) => i.instance), ['dma-1', 'dma-2', 'db-cassandra-vm']);
    assert.ok(d.steps.findIndex((s) => s.id === 'restore-remote-database') < d.steps.findIndex((s) => s.id === 'power-on-vms'));
  });

  it('treats an Agent named db-… as an Agent: only the database VM given (from the inventory) is the database', () => {
    const facts = dms([agent('db-01', '10.3.9.0-13201-20230830-release'), agent('dma-2', '10.3.9.0-13201-20230830-release')]);
    const manual = planSnapshotRoute(input({ facts, hypervisor: 'none', vms: {} }));
    assert.deepStrictEqual(step(manual, 'restore-snapshots').instances.map((i) => i.instance), ['db-01', 'dma-2']);
    assert.strictEqual(manual.steps.some((s) => s.id === 'restore-database-vm'), false, 'no database VM step without a database VM');
    const withDb = planSnapshotRoute(input({ facts, hypervisor: 'none', vms: {}, databaseVm: 'cassandra-vm' }));
    assert.deepStrictEqual(step(withDb, 'restore-database-vm').instances.map((i) => i.instance), ['db-cassandra-vm']);
    assert.deepStrictEqual(step(withDb, 'restore-snapshots').instances.map((i) => i.instance), ['db-01', 'dma-2']);
  });

  it('without a preset is a guided checklist that refuses a snapshot time after the upgrade', () => {
    const d = planSnapshotRoute(input({ hypervisor: 'none', snapshotName: 'pre', snapshotTime: '2023-09-05T10:00:00Z' }));
    assert.deepStrictEqual(d.steps.map((s) => s.kind), ['manual', 'manual', 'manual', 'wait']);
    const evidence = d.steps[0]?.instances[0]?.action;
    assert.ok(evidence?.kind === 'manual');
    assert.match(evidence.instructions, /dma-1: VM vm-dma-1, snapshot "pre" taken 2023-09-05T10:00:00Z, upgrade at 2023-09-05T14:40:02/);
    assert.throws(() => planSnapshotRoute(input({ hypervisor: 'none', snapshotTime: '2023-09-05T15:00:00Z' })), /does not predate the upgrade/);
  });

  it('plans offline without Agents', () => {
    const d = planSnapshotRoute({ ...input(), facts: undefined, to: undefined, hypervisor: 'libvirt' } as SnapshotRouteInput);
    assert.ok(d.warnings?.some((w) => /offline/.test(w)));
    assert.deepStrictEqual(planProblems(d.steps), []);
  });
});
