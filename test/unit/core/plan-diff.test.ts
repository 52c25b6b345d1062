import * as assert from 'assert';
import type { Plan, Step } from '../../../src/core/plan';
import { planDifferences } from '../../../src/core/plan-diff';

const step = (id: string, instances: Record<string, string>, destructive = false): Step => ({
  id,
  title: `Step ${id}`,
  source: 'MOP',
  kind: 'local',
  destructive,
  idempotent: true,
  timeoutMs: 1000,
  instances: Object.entries(instances).map(([instance, cmd]) => ({ instance, action: { kind: 'local', argv: ['sh', '-c', cmd] } })),
});

const plan = (steps: Step[], warnings: string[] = []): Plan => ({
  formatVersion: 1,
  procedure: { id: 'p', title: 'P', version: '1' },
  target: { kind: 'dms', name: 'lab', production: false },
  params: {},
  steps,
  warnings,
  extra: {},
  secrets: [],
});

describe('Start This Rollback: what changed since the dry run', () => {
  it('finds nothing when the plan made again is the same', () => {
    const a = plan([step('stop', { 'dma-01': 'stop' }), step('install', { 'dma-01': 'install' }, true)]);
    assert.deepStrictEqual(planDifferences(a, plan([step('stop', { 'dma-01': 'stop' }), step('install', { 'dma-01': 'install' }, true)])), []);
  });

  it('names added and removed steps, instances, changed commands and new warnings', () => {
    const reviewed = plan([step('stop', { 'dma-01': 'stop', 'dma-02': 'stop' }), step('swap', { 'dma-01': 'swap' }, true)]);
    const current = plan([step('stop', { 'dma-01': 'stop now', 'dma-03': 'stop' }), step('install', { 'dma-01': 'install' }, true)], ['dma-02 is unreachable']);
    assert.deepStrictEqual(planDifferences(reviewed, current), [
      'step "Step swap" is no longer in the plan',
      'step "Step stop" no longer runs on dma-02',
      'step "Step stop" on dma-01 sends a different command',
      'step "Step stop" now also runs on dma-03',
      'new step "Step install" (destructive)',
      'new warning: dma-02 is unreachable',
    ]);
  });
});
