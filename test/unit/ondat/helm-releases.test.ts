// Issue 14 §1: which Helm release owns the operator decides whether Helm may install 2.6.0 at all.
import * as assert from 'node:assert/strict';
import { parseParameters } from '../../../src/core/parameters';
import type { PlanDraft, Step } from '../../../src/core/plan';
import { parseToolRun } from '../../../src/core/tool-run';
import { OndatRefusedError } from '../../../src/procedures/ondat/errors';
import type { OndatFacts } from '../../../src/procedures/ondat/facts';
import { ONDAT_PARAMETERS, readParams } from '../../../src/procedures/ondat/parameters';
import { buildPlan } from '../../../src/procedures/ondat/plan';
import { factsFromSnapshot } from '../../../src/procedures/ondat/snapshot';
import type { HelmReleaseRevision } from '../../../src/core/helm-release';
import { clusterSnapshot, helmRevisions } from './cluster-fixture';
import type { OndatVariant } from '../../../lab/kube/fixtures/naming';

function params(raw: Record<string, string>): ReturnType<typeof readParams> {
  return readParams(parseParameters('x', ONDAT_PARAMETERS, { context: 'lab', scaleWorkloads: 'true', ...raw }));
}

function facts(variant: OndatVariant, releases: HelmReleaseRevision[] = helmRevisions(variant)): OndatFacts {
  return factsFromSnapshot('lab', clusterSnapshot({ variant }), { tools: [], clusterUid: 'uid-1', helmReleases: releases });
}

function refusal(fn: () => PlanDraft): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof OndatRefusedError, String(e));
    return e.message;
  }
  assert.fail('the plan was refused');
}

function stepOf(plan: PlanDraft, id: string): Step {
  const s = plan.steps.find((x) => x.id === id);
  assert.ok(s, id);
  return s;
}

describe('Ondat: Helm releases decide the install route', () => {
  it('reads the umbrella chart from the release Secret the fixture writes in Helm\'s format', () => {
    const [r] = helmRevisions('umbrella');
    assert.equal(r?.chart, 'ondat');
    assert.deepEqual(r?.dependencies, ['ondat-operator', 'etcd-cluster-operator']);
    assert.ok(r?.objects.some((o) => o.kind === 'EtcdCluster' && o.name === 'storageos-etcd'), 'the umbrella release owns the etcd');
  });

  it('refuses to upgrade a release of the umbrella chart ondat/ondat, naming what it would delete and the routes that keep etcd', () => {
    const msg = refusal(() => buildPlan(params({ installMethod: 'helm' }), facts('umbrella')));
    assert.match(msg, /the 2\.7 operator belongs to Helm release ondat in storageos \(chart ondat 0\.2\.0, revision 1, deployed; its record is Secret storageos\/sh\.helm\.release\.v1\.ondat\.v1\), a release of chart ondat \(dependencies ondat-operator, etcd-cluster-operator\), not ondat-operator/);
    assert.match(msg, /would delete everything that chart rendered and ondat-operator does not — Ondat's etcd/);
    assert.match(msg, /\(1\) installMethod=kubectl-storageos: the plugin installs the 2\.6\.0 operator/);
    assert.match(msg, /\(2\) installMethod=manifests:/);
    // What Helm does with the objects the umbrella release still owns (helm's ownership check), from the release's manifest.
    assert.match(msg, /\(3\) a second Helm release \(ondat-2-6\) of ondat\/ondat-operator beside ondat is not possible: the chart renders StorageOSCluster storageos\/storageoscluster and Secret storageos\/storageos-api, which release ondat owns.*invalid ownership metadata/);
  });

  it('refuses a second release name beside the umbrella release, because of the objects it owns', () => {
    const msg = refusal(() => buildPlan(params({ installMethod: 'helm', helmRelease: 'ondat-26' }), facts('umbrella')));
    assert.match(msg, /installMethod=helm with release ondat-26 would be a second Helm release \(ondat-26\).*not possible/);
  });

  it('takes the plugin route beside an umbrella release, saying exactly what it changes and leaves', () => {
    const plan = buildPlan(params({ installMethod: 'kubectl-storageos' }), facts('umbrella'));
    assert.ok(plan.warnings!.some((w) => /This run takes the route installMethod=kubectl-storageos: .*release ondat keeps its etcd and its record/.test(w)));
    assert.ok(!plan.steps.some((s) => JSON.stringify(s).includes('"helm"')), 'nothing runs helm');
  });

  it('upgrades a release of ondat-operator itself', () => {
    const plan = buildPlan(params({ installMethod: 'helm' }), facts('helm'));
    const a = stepOf(plan, 'install-ondat-operator').instances[0]!.action;
    assert.ok(a.kind === 'kube');
    const run = parseToolRun(a.kind === 'kube' ? a.options ?? {} : {});
    assert.ok(typeof run !== 'string' && run.args.includes('ondat'));
  });

  it('refuses a Helm install while the release is stuck in pending-upgrade (an interrupted helm)', () => {
    const [deployed] = helmRevisions('helm');
    assert.ok(deployed);
    const pending = { ...deployed, revision: 2, status: 'pending-upgrade' };
    const msg = refusal(() => buildPlan(params({ installMethod: 'helm' }), facts('helm', [deployed, pending])));
    assert.match(msg, /Helm release ondat in storageos \(chart ondat-operator 0\.6\.0, revision 2, pending-upgrade.*is stuck in pending-upgrade.*helm rollback ondat <revision> -n storageos/);
  });

  it('refuses to upgrade blind when the operator names a release whose record is missing', () => {
    assert.match(refusal(() => buildPlan(params({ installMethod: 'helm' }), facts('helm', []))), /no release Secret sh\.helm\.release\.v1\.ondat\.v<N> exists there/);
  });
});
