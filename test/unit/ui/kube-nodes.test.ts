import * as assert from 'assert';
import * as path from 'path';
import { KubeconfigError, loadKubeconfig } from '../../../src/adapters/kube/kubeconfig';
import { kubeNodes } from '../../../src/ui/tree/kube-nodes';
import type { KubeGroupNode, ProblemNode } from '../../../src/ui/tree/nodes';

const fixtures = path.resolve(__dirname, '../../../../test/fixtures/kubeconfig');

describe('Targets tree: Kubernetes nodes', () => {
  it('shows nothing (the welcome content) when the default kubeconfig does not exist', () => {
    const error = new KubeconfigError('No kubeconfig found', '/h/.kube/config', 'missing');
    assert.deepStrictEqual(kubeNodes({ ok: false, source: { origin: 'default', files: ['/h/.kube/config'] }, error, missing: true }), []);
  });

  it('shows an error item when a configured kubeconfig does not exist', () => {
    const error = new KubeconfigError('No kubeconfig found: /x.yaml', '/x.yaml', 'missing');
    const [group] = kubeNodes({ ok: false, source: { origin: 'setting', files: ['/x.yaml'] }, error, missing: true }) as KubeGroupNode[];
    const [problem] = group.children as ProblemNode[];
    assert.strictEqual(problem.kind, 'problem');
    assert.strictEqual(problem.label, 'Kubeconfig not found');
    assert.strictEqual(problem.message, error.message);
  });

  it('shows an error item that opens the malformed file', () => {
    const file = path.join(fixtures, 'malformed.yaml');
    let error: KubeconfigError | undefined;
    try {
      loadKubeconfig({ origin: 'setting', files: [file] });
    } catch (err) {
      error = err as KubeconfigError;
    }
    assert.ok(error);
    const [group] = kubeNodes({ ok: false, source: { origin: 'setting', files: [file] }, error, missing: false }) as KubeGroupNode[];
    const [problem] = group.children as ProblemNode[];
    assert.strictEqual(problem.severity, 'error');
    assert.strictEqual(problem.file, file);
    assert.match(problem.message, /malformed/);
  });

  it('lists one node per context, in file order', () => {
    const loaded = loadKubeconfig({ origin: 'KUBECONFIG', files: [path.join(fixtures, 'team.yaml'), path.join(fixtures, 'prod.yaml')] });
    const [group] = kubeNodes({ ok: true, loaded }) as KubeGroupNode[];
    assert.deepStrictEqual(
      group.children.map((c) => (c.kind === 'kube-context' ? c.context.name : c.kind)),
      ['staging', 'dev', 'prod-eu'],
    );
  });

  it('adds a warning for each listed file that does not exist', () => {
    const loaded = loadKubeconfig({ origin: 'KUBECONFIG', files: ['/nonexistent/kc.yaml', path.join(fixtures, 'prod.yaml')] });
    const [group] = kubeNodes({ ok: true, loaded }) as KubeGroupNode[];
    const warnings = group.children.filter((c): c is ProblemNode => c.kind === 'problem');
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0].message, /\/nonexistent\/kc\.yaml .*skipped/);
    assert.deepStrictEqual(group.files, [path.join(fixtures, 'prod.yaml')]);
  });
});
