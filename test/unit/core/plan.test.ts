import * as assert from 'node:assert/strict';
import { planDocument, planProblems, referencedSecrets, renderAction } from '../../../src/core/plan';
import { local, plan, step } from './engine-fixtures';

describe('plan model', () => {
  it('renders a local command as a shell line, quoting what needs quoting', () => {
    assert.equal(renderAction(local('helm', 'uninstall', 'my release', "it's")), `helm uninstall 'my release' 'it'\\''s'`);
  });

  it('renders environment and working directory of a local command', () => {
    assert.equal(renderAction({ kind: 'local', argv: ['ls'], cwd: '/tmp/a b', env: { A: '1' } }), `cd '/tmp/a b' && A=1 ls`);
  });

  it('renders an ssh command exactly as sent', () => {
    assert.equal(renderAction({ kind: 'ssh', host: 'dma-01', command: 'sc stop "SLDataMiner"' }), 'sc stop "SLDataMiner"');
  });

  it('renders a kube operation with its context and the manifest as sent', () => {
    const text = renderAction({
      kind: 'kube',
      context: 'prod',
      operation: 'apply',
      namespace: 'storageos',
      resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'downgrade' },
      manifest: 'apiVersion: apps/v1\nkind: DaemonSet\n',
    });
    assert.equal(text, 'kube apply DaemonSet/downgrade (apps/v1) -n storageos --context prod\napiVersion: apps/v1\nkind: DaemonSet\n');
  });

  it('renders a wait with the check it polls', () => {
    assert.equal(renderAction({ kind: 'wait', description: 'pods gone', until: local('true'), intervalMs: 500 }), 'wait until (every 500 ms): true');
  });

  it('accepts a well-formed plan', () => {
    assert.deepEqual(planProblems([step('a'), step('b')]), []);
  });

  it('finds duplicate step ids, bad ids, empty fan-outs, duplicate instances and kind mismatches', () => {
    const problems = planProblems([
      step('a'),
      step('a'),
      step('Bad Id'),
      { ...step('c'), instances: [] },
      step('d', {}, [{ instance: 'x' }, { instance: 'x' }]),
      step('e', { kind: 'ssh' }),
      step('f', { timeoutMs: 0 }),
    ]);
    assert.equal(problems.length, 6);
    assert.match(problems.join('\n'), /step id "a" is used twice/);
    assert.match(problems.join('\n'), /step id "Bad Id" must be/);
    assert.match(problems.join('\n'), /step c has no instances/);
    assert.match(problems.join('\n'), /instance "x" twice/);
    assert.match(problems.join('\n'), /step e is of kind ssh but instance lab-1 has a local action/);
    assert.match(problems.join('\n'), /step f needs a positive timeoutMs/);
  });

  it('finds the secrets a plan references', () => {
    const steps = [step('a', {}, [{ instance: 'x', action: { kind: 'local', argv: ['login'], env: { T: '${secret:token}' } } }]), step('b', {}, [{ instance: 'y', action: local('x', '${secret:other}') }])];
    assert.deepEqual(referencedSecrets(steps), ['other', 'token']);
  });

  it('gives plan --json its stable fields, one row per step instance', () => {
    const p = { ...plan([step('a', { destructive: true }, [{ instance: 'n1' }, { instance: 'n2' }])]), extra: { detectedVersion: '2.7.0', steps: 'cannot override' } };
    const doc = planDocument(p) as Record<string, unknown>;
    assert.equal(doc.procedure, 'test-proc');
    assert.equal(doc.detectedVersion, '2.7.0');
    assert.deepEqual(doc.warnings, []);
    const rows = doc.steps as Array<Record<string, unknown>>;
    assert.equal(rows.length, 2);
    assert.deepEqual(
      rows.map((r) => [r.id, r.instance, r.kind, r.destructive, r.idempotent, r.command, r.title]),
      [
        ['a', 'n1', 'local', true, false, 'ok a n1', 'Step a'],
        ['a', 'n2', 'local', true, false, 'ok a n2', 'Step a'],
      ],
    );
  });
});
