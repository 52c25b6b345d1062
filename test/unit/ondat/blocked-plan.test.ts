// A dry run always shows the plan: a refusal that a parameter resolves comes with the plan drawn so far and a typed
// blocker naming the parameter; starting such a plan is still refused.
import * as assert from 'node:assert/strict';
import { PlanBlockedError } from '../../../src/core/errors';
import { parseParameters } from '../../../src/core/parameters';
import type { Procedure } from '../../../src/core/procedure';
import { preparePlan, startRun, type RunEnvironment } from '../../../src/core/runs';
import { OndatRefusedError } from '../../../src/procedures/ondat/errors';
import { ONDAT_PARAMETERS, readParams } from '../../../src/procedures/ondat/parameters';
import { buildPlan } from '../../../src/procedures/ondat/plan';
import { factsFromSnapshot } from '../../../src/procedures/ondat/snapshot';
import { clusterSnapshot } from './cluster-fixture';

const helm = (raw: Record<string, string> = {}) =>
  readParams(parseParameters('ondat.downgrade-2.7-to-2.6', ONDAT_PARAMETERS, { context: 'lab', installMethod: 'helm', ...raw }));
const facts = () => factsFromSnapshot('lab', clusterSnapshot(), { tools: [{ tool: 'helm', available: true, detail: 'v3.12.0' }] });

/** The Ondat planner behind the engine, with its facts given (no cluster needed). */
const ondatWithFacts: Procedure = {
  id: 'test.ondat-with-facts',
  title: 'Ondat with given facts',
  version: '1.0.0',
  description: 'buildPlan on the fixture cluster',
  parameters: ONDAT_PARAMETERS,
  target: (p) => ({ kind: 'kube-context', name: String(p.context), production: false }),
  plan: (p) => buildPlan(readParams(p), facts()),
};

describe('A refused Ondat plan still shows its plan and what resolves the refusal', () => {
  it('refuses workloads on Ondat volumes with the drawn plan and a blocker naming scaleWorkloads=true', () => {
    let caught: unknown;
    try {
      buildPlan(helm({ scaleWorkloads: 'false' }), facts());
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof OndatRefusedError, 'still the Ondat refusal, with its message');
    assert.match(caught.message, /--param scaleWorkloads=true/);
    assert.ok(caught.blocked, 'the refusal carries the plan');
    assert.ok(caught.blocked.draft.steps.some((s) => s.id === 'delete-storageoscluster'), 'the plan has its steps');
    assert.deepEqual(caught.blocked.blockers.map((b) => b.parameter), [{ name: 'scaleWorkloads', value: 'true' }]);
    assert.match(caught.blocked.blockers[0]?.problem ?? '', /StatefulSet shop\/shop-db/);
  });

  it('gives a dry run the plan with the blocker on top, and refuses it for a run', async () => {
    const host = { executors: {} };
    const prepared = await preparePlan(ondatWithFacts, { context: 'lab', installMethod: 'helm', scaleWorkloads: 'false' }, host, { keepBlocked: true });
    assert.equal(prepared.plan.blockers?.[0]?.parameter?.name, 'scaleWorkloads');
    assert.ok(prepared.plan.steps.length > 5);
    await assert.rejects(preparePlan(ondatWithFacts, { context: 'lab', installMethod: 'helm', scaleWorkloads: 'false' }, host), OndatRefusedError, 'without keepBlocked the refusal stands');
    const untouched = new Proxy({}, { get: () => () => assert.fail('nothing is locked or created for a blocked plan') }) as unknown as RunEnvironment;
    await assert.rejects(startRun(untouched, prepared), PlanBlockedError);
  });

  it('has no blocker once the parameter that resolves it is given', async () => {
    const prepared = await preparePlan(ondatWithFacts, { context: 'lab', installMethod: 'helm', scaleWorkloads: 'true' }, { executors: {} }, { keepBlocked: true });
    assert.equal(prepared.plan.blockers, undefined);
  });
});
