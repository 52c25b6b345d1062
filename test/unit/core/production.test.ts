import * as assert from 'node:assert/strict';
import type { Procedure } from '../../../src/core/procedure';
import { productionReasons } from '../../../src/core/production';
import { preparePlan } from '../../../src/core/runs';

const dms = (production: boolean): Procedure => ({
  id: 'test.dms',
  title: 'Test',
  version: '1.0.0',
  description: 'A DMS target.',
  parameters: [
    { name: 'dms', type: 'string', description: 'DMS' },
    { name: 'production', type: 'boolean', description: 'production', default: production },
  ],
  target: (p) => ({ kind: 'dms', name: String(p.dms), production: p.production === true }),
  plan: () => ({ steps: [{ id: 'look', title: 'Look', source: 'test', kind: 'local', destructive: false, idempotent: true, timeoutMs: 1000, instances: [{ instance: 'a', action: { kind: 'local', argv: ['true'] } }] }] }),
});

describe('production', () => {
  it('is the OR of the parameter, the flag, the inventory and the production contexts', () => {
    const t = { kind: 'dms', name: 'prod-eu', production: false };
    assert.deepEqual(productionReasons(t), []);
    assert.deepEqual(productionReasons(t, { productionDms: new Set(['prod-eu']) }), ['the inventory marks the DMS production']);
    assert.equal(productionReasons({ ...t, production: true }).length, 1);
    assert.equal(productionReasons(t, { always: true }).length, 1);
    const ctx = { kind: 'kube-context', name: 'prod-west', production: false };
    assert.equal(productionReasons(ctx, { productionContexts: ['prod-*'] }).length, 1);
    assert.equal(productionReasons(ctx, { productionContexts: ['prod'] }).length, 0, 'a name matches whole');
    assert.equal(productionReasons({ ...ctx, kind: 'dms' }, { productionContexts: ['prod-*'] }).length, 0, 'contexts are only for Kubernetes targets');
  });

  it('is never lowered by the parameter when the inventory marks the DMS production', async () => {
    const { plan } = await preparePlan(dms(false), { dms: 'prod-eu', production: 'false' }, { executors: {} }, { productionSources: { productionDms: new Set(['prod-eu']) } });
    assert.equal(plan.target.production, true);
  });
});
