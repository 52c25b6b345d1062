// Where Start Rollback asks a namespace (the Helm release's, the downgrade DaemonSet's), the namespaces of the run's
// cluster are offered as choices; the value can still be typed when the cluster cannot be read.
import * as assert from 'assert';
import type { ParameterDefinition } from '../../../src/core/parameters';
import type { Procedure } from '../../../src/core/procedure';
import { builtinProcedures } from '../../../src/procedures';
import { askRun } from '../../../src/ui/commands/run-questions';
import { namespaceOffer, type OndatClusterSource } from '../../../src/ui/contributions/ondat-choices';
import { ProcedureUis } from '../../../src/ui/contributions/procedure-ui';
import type { ClusterNamespace } from '../../../src/ui/kube/cluster-reads';
import { scripted, submit, type Shown } from './scripted-flow';

const ondat = (builtinProcedures() as Procedure[]).find((p) => p.id.includes('ondat')) as Procedure;
const def = (name: string) => ondat.parameters.find((d) => d.name === name) as ParameterDefinition;

/** A cluster per context, as the API lists namespaces; counts the reads. */
function cluster(byContext: Record<string, ClusterNamespace[]>): OndatClusterSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async namespaces(context) {
      reads.push(context);
      const found = byContext[context];
      if (!found) throw new Error(`context "${context}" not found in the kubeconfig`);
      return found;
    },
    async presence() {
      return { installed: false };
    },
  };
}

const STAGING: ClusterNamespace[] = [
  { name: 'storageos', phase: 'Active' },
  { name: 'default', phase: 'Active' },
  { name: 'old-ondat', phase: 'Terminating' },
  { name: 'kube-system', phase: 'Active' },
];

describe('Namespaces offered from the cluster', () => {
  it('offers the namespaces of the run\'s context for the Helm release\'s namespace, one being deleted last and said so', async () => {
    const source = cluster({ staging: STAGING });
    const offer = await namespaceOffer(source, () => undefined)(def('helmNamespace'), { context: 'staging' });
    assert.deepStrictEqual(source.reads, ['staging']);
    assert.deepStrictEqual(offer?.items.map((i) => [i.value, i.description]), [
      ['default', 'on staging'],
      ['kube-system', 'on staging'],
      ['storageos', 'on staging'],
      ['old-ondat', 'being deleted'],
    ]);
  });

  it('offers them for the downgrade DaemonSet\'s namespace too, and for no other parameter', async () => {
    const source = cluster({ staging: STAGING });
    const offer = namespaceOffer(source, () => undefined);
    assert.strictEqual((await offer(def('namespace'), { context: 'staging' }))?.items.length, 4);
    assert.strictEqual(await offer(def('helmRelease'), { context: 'staging' }), undefined);
    assert.strictEqual(await offer(def('image'), { context: 'staging' }), undefined);
    assert.deepStrictEqual(source.reads, ['staging'], 'other parameters read nothing from the cluster');
  });

  it('offers nothing (the value is typed) when the cluster cannot be read, and says why in the log', async () => {
    const warned: string[] = [];
    const offer = await namespaceOffer(cluster({}), (m) => warned.push(m))(def('helmNamespace'), { context: 'gone' });
    assert.strictEqual(offer, undefined);
    assert.match(warned[0] ?? '', /cannot list the namespaces of context gone: context "gone" not found/);
  });

  it('lets the review\'s namespace be chosen from the list in Start Rollback', async () => {
    const source = cluster({ staging: STAGING });
    const uis = new ProcedureUis([{ procedureId: ondat.id, offer: namespaceOffer(source, () => undefined) }]);
    let reviews = 0;
    let asked: Shown | undefined;
    const { makeUi } = scripted((s) => {
      if (s.title.endsWith('review') && s.items[0]?.value === 'default') {
        asked = s;
        return 'storageos';
      }
      if (s.title.endsWith('review')) return ++reviews === 1 ? 'helmNamespace' : submit;
      return (x: Shown) => x.active ?? x.items[0]?.value;
    });
    const choice = await askRun('Start Rollback', makeUi, {
      procedures: [ondat],
      targets: { list: async () => [{ label: 'staging', value: 'staging' }] },
      choices: uis,
      submitLabel: 'Start the rollback',
      submit: async () => undefined,
      // installMethod=helm: the Helm release's namespace applies.
    }, { params: { installMethod: 'helm' } });
    assert.ok(asked, 'the namespace question offered the cluster\'s namespaces');
    assert.ok(asked.items.some((i) => i.label.includes('Type a value')), 'a namespace not in the list can still be typed');
    assert.strictEqual(choice?.params.helmNamespace, 'storageos');
  });
});
