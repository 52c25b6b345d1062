// Start Rollback's questions driven through a scripted FlowUi (the thin host wrapper): what is asked for each path,
// what Back and a refusal keep, what is offered next time.
import * as assert from 'assert';
import type { Procedure } from '../../../src/core/procedure';
import { builtinProcedures } from '../../../src/procedures';
import { InputFlowCancelled } from '../../../src/ui/commands/flow';
import { askRun, type AnswerMemory, type Refusal, type RunChoice, type RunQuestionsDeps } from '../../../src/ui/commands/run-questions';
import { back, scripted, submit, type Answer, type Shown } from './scripted-flow';

const procedures = builtinProcedures() as Procedure[];
const targets: RunQuestionsDeps['targets'] = {
  async list(kind) {
    return kind === 'dms'
      ? [{ label: 'lab', description: '3 Agents', value: 'lab' }]
      : [
          { label: 'staging', value: 'staging' },
          { label: 'prod-eu', value: 'prod-eu' },
        ];
  },
};

/** What the DataMiner contribution implies from a DMS of the inventory (its Agents, production flag). */
const inventoryImplied: NonNullable<RunQuestionsDeps['choices']> = {
  async offer() {
    return undefined;
  },
  prefill(procedure): Record<string, string> {
    return procedure.targetParameter?.kind === 'dms' ? { agents: 'dma-01=10.0.0.11,dma-02=10.0.0.12,dma-03=10.0.0.13', production: 'false' } : {};
  },
};

function deps(over: Partial<RunQuestionsDeps> & { submit?: (c: RunChoice) => Promise<Refusal | undefined> }): RunQuestionsDeps {
  return { procedures, targets, choices: inventoryImplied, submitLabel: 'Start the rollback', submit: async () => undefined, ...over };
}

const DM = 'Start Rollback';
function routeB(s: Shown): Answer {
  if (s.title.endsWith('procedure')) return 'DataMiner: downgrade a DMS';
  if (s.title.endsWith('DataMiner System')) return 'lab';
  if (s.title.endsWith(': route')) return 'package';
  if (s.title.endsWith(': to')) return '10.3.5';
  if (s.title.endsWith(': packages')) return 'agent:C:\\Packages\\DataMiner 10.3.5.dmupgrade';
  if (s.title.endsWith(': review')) return submit;
  throw new Error(`unexpected question ${s.title}`);
}

function questionsBeforeReview(shown: Shown[]): string[] {
  const end = shown.findIndex((s) => s.title.endsWith(': review'));
  return shown.slice(0, end).map((s) => s.title.replace(`${DM}: `, ''));
}

describe('Start Rollback asks only what applies', () => {
  it('asks a route B DataMiner downgrade in at most 5 questions before the review', async () => {
    const dm = procedures.find((p) => p.id.includes('dataminer')) as Procedure;
    const { makeUi, shown } = scripted((s) => routeB(s));
    const choice = await askRun(DM, makeUi, deps({}));
    const asked = questionsBeforeReview(shown);
    assert.deepStrictEqual(asked, ['procedure', 'DataMiner System', 'route', 'to', 'packages']);
    assert.ok(asked.length <= 5);
    assert.strictEqual(choice?.procedure.id, dm.id);
    assert.strictEqual(choice?.params.packages, 'agent:C:\\Packages\\DataMiner 10.3.5.dmupgrade');
    assert.strictEqual(choice?.params.agents, 'dma-01=10.0.0.11,dma-02=10.0.0.12,dma-03=10.0.0.13', 'the Agents come from the inventory');
  });

  it('asks an Ondat downgrade in at most 4 questions before the review', async () => {
    const ondat = procedures.find((p) => p.id.includes('ondat')) as Procedure;
    const wrapped = scripted((s) => {
      if (s.title.endsWith('procedure')) return ondat.title;
      if (s.title.endsWith('Kubernetes context')) return 'staging';
      if (s.title.endsWith('installMethod')) return 'helm';
      if (s.title.endsWith('scaleWorkloads')) return 'true';
      if (s.title.endsWith('review')) return submit;
      throw new Error(`unexpected question ${s.title}`);
    });
    const choice = await askRun(DM, wrapped.makeUi, deps({}));
    const asked = questionsBeforeReview(wrapped.shown);
    assert.deepStrictEqual(asked, ['procedure', 'Kubernetes context', 'installMethod', 'scaleWorkloads']);
    assert.strictEqual(choice?.params.installMethod, 'helm');
    assert.strictEqual(choice?.params.chartVersion, undefined, 'Helm\'s chart version keeps its default without a question');
  });

  it('lists every applicable parameter in the review, defaults included, and none of the other route', async () => {
    const { makeUi, shown } = scripted((s) => routeB(s));
    await askRun(DM, makeUi, deps({}));
    const reviewShown = shown.find((s) => s.title.endsWith(': review')) as Shown;
    const lines = reviewShown.items.map((it) => `${it.label} = ${it.description ?? ''}`);
    assert.ok(lines.includes('upgradeScope = cluster (default)'), lines.join('\n'));
    assert.ok(lines.includes('moduleSwap = auto (default)'));
    assert.ok(lines.includes('route = package'));
    assert.ok(!lines.some((l) => l.startsWith('hypervisor')), 'route A parameters are not listed for route B');
    assert.match(reviewShown.items[0]?.label ?? '', /Start the rollback/);
  });

  it('asks route A its hypervisor and none of route B\'s package questions', async () => {
    const { makeUi, shown } = scripted((s) => {
      if (s.title.endsWith(': route')) return 'snapshot';
      if (s.title.endsWith(': hypervisor')) return 'none';
      if (s.title.endsWith(': to')) return '';
      return routeB(s);
    });
    await askRun(DM, makeUi, deps({}));
    assert.deepStrictEqual(questionsBeforeReview(shown), ['procedure', 'DataMiner System', 'route', 'to', 'hypervisor']);
  });

  it('shows each route with what it means, not two bare words', async () => {
    const { makeUi, shown } = scripted((s) => routeB(s));
    await askRun(DM, makeUi, deps({}));
    const route = shown.find((s) => s.title.endsWith(': route')) as Shown;
    assert.deepStrictEqual(route.items.map((it) => it.label), ['snapshot', 'package']);
    assert.ok(route.items.every((it) => (it.detail ?? '').length > 20), 'each route has its explanation beside it');
  });
});

describe('Start Rollback keeps every answer', () => {
  it('keeps the answers when Back is pressed', async () => {
    let pressedBack = false;
    const { makeUi, shown } = scripted((s) => {
      if (s.title.endsWith(': packages') && !pressedBack) {
        pressedBack = true;
        return back;
      }
      return routeB(s);
    });
    await askRun(DM, makeUi, deps({}));
    const toShown = shown.filter((s) => s.title.endsWith(': to'));
    assert.strictEqual(toShown.length, 2, 'Back returned to the version question');
    assert.strictEqual(toShown[1]?.value, '10.3.5', 'with the answer given before');
  });

  it('returns to the review after a refusal, with the answers kept and the faulty parameter marked', async () => {
    let submissions = 0;
    const reviews: Shown[] = [];
    const { makeUi } = scripted((s) => {
      if (s.title.endsWith(': review')) {
        reviews.push(s);
        return submit;
      }
      return routeB(s);
    });
    const choice = await askRun(
      DM,
      makeUi,
      deps({
        submit: async () => (++submissions === 1 ? { message: 'choose the upgrade packages to install', parameter: 'packages' } : undefined),
      }),
    );
    assert.strictEqual(submissions, 2);
    assert.strictEqual(reviews.length, 2, 'the refusal came back to the review, not to the first question');
    const marked = reviews[1]?.items.find((it) => it.label.includes('packages'));
    assert.strictEqual(marked?.label, '$(error) packages');
    assert.match(marked?.detail ?? '', /choose the upgrade packages/);
    assert.strictEqual(reviews[1]?.active, marked?.value, 'the faulty parameter is the selected line');
    assert.strictEqual(choice?.params.to, '10.3.5', 'the answers are kept');
  });

  it('changes one value from the review and comes back to it', async () => {
    let changed = false;
    const { makeUi, shown } = scripted((s) => {
      if (s.title.endsWith(': review') && !changed) {
        changed = true;
        return (x: Shown) => x.items.find((it) => it.label === 'upgradeScope')?.value;
      }
      if (s.title.endsWith(': review') && changed && s.kind === 'pick' && s.items.some((it) => it.label === 'each-agent')) return 'each-agent';
      return routeB(s);
    });
    const choice = await askRun(DM, makeUi, deps({}));
    assert.strictEqual(choice?.params.upgradeScope, 'each-agent');
    assert.strictEqual(shown.filter((s) => s.title.endsWith(': review') && s.items[0]?.label.includes('Start')).length, 2);
  });

  it('offers the last answers for the same procedure and target next time, never a secret', async () => {
    const stored = new Map<string, Record<string, string>>();
    const memory: AnswerMemory = {
      recall: (p, t) => stored.get(`${p}/${t}`) ?? {},
      remember: async (p, t, a) => void stored.set(`${p}/${t}`, a),
    };
    const first = scripted((s) => routeB(s));
    await askRun(DM, first.makeUi, deps({ memory }));
    const second = scripted((s) => (s.title.endsWith(': route') || s.title.endsWith(': to') ? (x: Shown) => x.active ?? x.value : routeB(s)));
    const choice = await askRun(DM, second.makeUi, deps({ memory }));
    assert.strictEqual(second.shown.find((s) => s.title.endsWith(': route'))?.active, 'package', 'the last route is offered');
    assert.strictEqual(second.shown.find((s) => s.title.endsWith(': to'))?.value, '10.3.5', 'the last version is offered');
    assert.strictEqual(choice?.params.to, '10.3.5');

    const ondat = procedures.find((p) => p.id.includes('ondat')) as Procedure;
    await memory.remember(ondat.id, 'staging', {});
    const withSecret = scripted((s) => {
      if (s.title.endsWith('procedure')) return ondat.title;
      if (s.title.endsWith('Kubernetes context')) return 'staging';
      if (s.title.endsWith('installMethod')) return 'helm';
      if (s.title.endsWith('scaleWorkloads')) return 'false';
      return submit;
    });
    await askRun(DM, withSecret.makeUi, deps({ memory }), { params: { adminPassword: 's3cret-value' } });
    const remembered = JSON.stringify([...stored.values()]);
    assert.ok(!remembered.includes('s3cret-value'), 'the secret is not remembered');
    assert.match(remembered, /"installMethod":"helm"/);
  });

  it('submits at once when a caller gives every answer, and shows the review only for a refusal or when asked to', async () => {
    const dm = procedures.find((p) => p.id.includes('dataminer')) as Procedure;
    const preset = { procedureId: dm.id, target: 'lab', params: { route: 'package', to: '10.3.5', packages: 'agent:C:\\p.dmupgrade' } };
    const silent = scripted(() => {
      throw new Error('nothing is asked');
    });
    assert.strictEqual((await askRun(DM, silent.makeUi, deps({}), preset))?.params.to, '10.3.5');

    let submissions = 0;
    const refused = scripted((s) => (s.title.endsWith(': review') ? submit : routeB(s)));
    await askRun(DM, refused.makeUi, deps({ submit: async () => (++submissions === 1 ? { message: 'no such package', parameter: 'packages' } : undefined) }), preset);
    assert.deepStrictEqual(refused.shown.map((s) => s.title), [`${DM}: review`], 'the refusal is shown in the review');
    assert.strictEqual(refused.shown[0]?.items.find((it) => it.label.includes('packages'))?.label, '$(error) packages');

    const again = scripted((s) => (s.title.endsWith(': review') ? submit : routeB(s)));
    await askRun(DM, again.makeUi, deps({}), { ...preset, review: true });
    assert.deepStrictEqual(again.shown.map((s) => s.title), [`${DM}: review`], 'Run Again shows the review with every answer');
  });

  it('ends with nothing when dismissed', async () => {
    const { makeUi } = scripted(() => () => {
      throw new InputFlowCancelled();
    });
    await assert.rejects(askRun(DM, makeUi, deps({})), InputFlowCancelled);
  });
});
