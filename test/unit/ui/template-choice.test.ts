import * as assert from 'assert';
import { diagnosticText } from '../../../src/ui/template/diagnostic-text';
import { chooseTemplate } from '../../../src/ui/template/template-choice';

const copy = { text: 'parameters: {timeoutSeconds: 600}\n---\n', path: '.backout/templates/ondat-downgrade-daemonset.yaml' };

describe('Template editing: which template a run uses', () => {
  it('uses the edited copy in a trusted workspace', () => {
    assert.deepStrictEqual(chooseTemplate({ trusted: true, builtIn: 'B', workspaceCopy: copy }), { text: copy.text, source: 'workspace', origin: copy.path });
  });

  it('uses the built-in template in an untrusted workspace and says why, naming the copy left aside', () => {
    const r = chooseTemplate({ trusted: false, builtIn: 'B', workspaceCopy: copy });
    assert.strictEqual(r.text, 'B');
    assert.strictEqual(r.source, 'built-in');
    assert.strictEqual(
      r.fallbackReason,
      'workspace not trusted: runs use the built-in template, not .backout/templates/ondat-downgrade-daemonset.yaml. Trust the workspace to run with your edited copy.',
    );
  });

  it('uses the built-in template without a warning when there is no copy, trusted or not', () => {
    for (const trusted of [true, false]) {
      assert.deepStrictEqual(chooseTemplate({ trusted, builtIn: 'B' }), { text: 'B', source: 'built-in', origin: 'built-in template' });
    }
  });
});

describe('Template editing: diagnostic messages name their parameter', () => {
  const range = { start: { line: 3, character: 2 }, end: { line: 3, character: 9 } };

  it('keeps a message that starts with the parameter', () => {
    assert.strictEqual(diagnosticText({ severity: 'error', range, parameter: 'image', message: 'image "x" is not pinned' }), 'image "x" is not pinned');
  });

  it('keeps a message that quotes the parameter or its placeholder', () => {
    const unknown = 'unknown parameter "foo"; the template knows namespace';
    assert.strictEqual(diagnosticText({ severity: 'error', range, parameter: 'foo', message: unknown }), unknown);
    const placeholder = '${nodeSelector} is a map of labels: use it as the whole value';
    assert.strictEqual(diagnosticText({ severity: 'error', range, parameter: 'nodeSelector', message: placeholder }), placeholder);
  });

  it('prefixes the parameter when the message does not name it', () => {
    assert.strictEqual(
      diagnosticText({ severity: 'warning', range, parameter: 'serviceAccount', message: 'ServiceAccount daemon-set-controller exists only in kube-system' }),
      'serviceAccount: ServiceAccount daemon-set-controller exists only in kube-system',
    );
  });

  it('leaves a message about no parameter as it is', () => {
    assert.strictEqual(diagnosticText({ severity: 'error', range, message: 'YAML: bad indentation' }), 'YAML: bad indentation');
  });
});
