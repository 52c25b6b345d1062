import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_TEMPLATE } from '../../../src/procedures/ondat/default-template';
import { analyzeTemplate, TEMPLATE_HASH_ANNOTATION, validateTemplate } from '../../../src/procedures/ondat/downgrade-template';
import { renderTemplate } from '../../../src/procedures/ondat/render-template';
import { TemplateInvalidError } from '../../../src/procedures/ondat/template-errors';

const repoRoot = path.resolve(__dirname, '../../../..');

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `"${needle}" is in the template`);
  return i;
}

function errors(text: string, overrides = {}): ReturnType<typeof validateTemplate> {
  return validateTemplate(text, overrides).filter((d) => d.severity === 'error');
}

describe('Ondat downgrade template', () => {
  it('ships the same text as the built-in template the planner uses', () => {
    const file = fs.readFileSync(path.join(repoRoot, 'src/procedures/ondat/templates/downgrade-daemonset.yaml'), 'utf8');
    assert.equal(file, DEFAULT_TEMPLATE);
  });

  it('renders the built-in template without diagnostics into a DaemonSet in kube-system, as the vendor script', () => {
    const a = analyzeTemplate(DEFAULT_TEMPLATE);
    assert.deepEqual(a.diagnostics, []);
    const ds = parse(a.rendered!.manifest);
    assert.equal(ds.kind, 'DaemonSet');
    assert.equal(ds.metadata.namespace, 'kube-system');
    assert.equal(ds.metadata.name, 'storageos-downgrade-database');
    assert.equal(ds.spec.template.spec.initContainers[0].image, 'soegarots/node:v2-release-v2.7.0-27');
    assert.deepEqual(ds.spec.template.spec.initContainers[0].command, ['db_downgrade_v4v3']);
    assert.equal(ds.spec.template.spec.serviceAccountName, 'daemon-set-controller');
    assert.equal(ds.metadata.annotations[TEMPLATE_HASH_ANNOTATION], a.rendered!.hash);
  });

  it('leaves out nodeSelector and imagePullSecrets when they are empty', () => {
    const ds = parse(renderTemplate(DEFAULT_TEMPLATE).manifest);
    assert.equal(ds.spec.template.spec.nodeSelector, undefined);
    assert.equal(ds.spec.template.spec.imagePullSecrets, undefined);
  });

  it('applies overrides everywhere: namespace, node selector, pull secret, service account', () => {
    const r = renderTemplate(DEFAULT_TEMPLATE, {
      namespace: 'ondat-tools',
      nodeSelector: 'node-role.kubernetes.io/worker=true',
      imagePullSecret: 'regcred',
      serviceAccount: 'downgrader',
    });
    const ds = parse(r.manifest);
    assert.equal(ds.metadata.namespace, 'ondat-tools');
    assert.deepEqual(ds.spec.template.spec.nodeSelector, { 'node-role.kubernetes.io/worker': 'true' });
    assert.deepEqual(ds.spec.template.spec.imagePullSecrets, [{ name: 'regcred' }]);
    assert.equal(ds.spec.template.spec.serviceAccountName, 'downgrader');
    assert.deepEqual(r.warnings, []);
  });

  it('gives a different hash to a different rendering and the same hash to the same one', () => {
    assert.equal(renderTemplate(DEFAULT_TEMPLATE).hash, renderTemplate(DEFAULT_TEMPLATE).hash);
    assert.notEqual(renderTemplate(DEFAULT_TEMPLATE).hash, renderTemplate(DEFAULT_TEMPLATE, { namespace: 'other' }).hash);
  });

  it('rejects an unpinned image, naming the parameter, its line, and the fix', () => {
    const text = DEFAULT_TEMPLATE.replace('image: soegarots/node:v2-release-v2.7.0-27', 'image: soegarots/node');
    const [d, ...rest] = errors(text);
    assert.equal(rest.length, 0);
    assert.equal(d!.parameter, 'image');
    assert.equal(d!.range.start.line, lineOf(text, 'image: soegarots/node'));
    assert.equal(d!.range.start.character, '  image: '.length);
    assert.match(d!.message, /not pinned; add the exact tag/);
  });

  it('rejects :latest as unpinned', () => {
    const [d] = errors(DEFAULT_TEMPLATE, { image: 'soegarots/node:latest' });
    assert.equal(d!.parameter, 'image');
    assert.match(d!.message, /never :latest/);
    assert.match(d!.message, /--param image/);
  });

  it('rejects an invalid namespace with what Kubernetes accepts', () => {
    const text = DEFAULT_TEMPLATE.replace('namespace: kube-system', 'namespace: Kube_System');
    const [d] = errors(text);
    assert.equal(d!.parameter, 'namespace');
    assert.equal(d!.range.start.line, lineOf(text, 'namespace: Kube_System'));
    assert.match(d!.message, /lowercase letters, digits and '-'/);
  });

  it('rejects a timeout outside 60..86400 seconds and a timeout that is not a number', () => {
    assert.match(errors(DEFAULT_TEMPLATE.replace('timeoutSeconds: 1800', 'timeoutSeconds: 5'))[0]!.message, /use 60 to 86400 seconds/);
    const d = errors(DEFAULT_TEMPLATE.replace('timeoutSeconds: 1800', 'timeoutSeconds: soon'))[0]!;
    assert.equal(d.parameter, 'timeoutSeconds');
    assert.match(d.message, /whole number of seconds/);
  });

  it('accepts only kubectl or oc as the CLI tool', () => {
    const d = errors(DEFAULT_TEMPLATE.replace('cliTool: kubectl', 'cliTool: k9s'))[0]!;
    assert.equal(d.parameter, 'cliTool');
    assert.match(d.message, /use kubectl, or oc on OpenShift/);
  });

  it('rejects a malformed node selector, explaining the expected form', () => {
    const d = errors(DEFAULT_TEMPLATE, { nodeSelector: 'worker' })[0]!;
    assert.equal(d.parameter, 'nodeSelector');
    assert.match(d.message, /key=value pairs joined by commas/);
    const bad = errors(DEFAULT_TEMPLATE.replace('nodeSelector: {}', 'nodeSelector: {"bad key!": "x"}'))[0]!;
    assert.match(bad.message, /label key "bad key!"/);
  });

  it('reports an unknown parameter and an unknown placeholder at their positions', () => {
    const text = DEFAULT_TEMPLATE.replace('  cliTool: kubectl', '  cliTool: kubectl\n  tolerate: all').replace('image: ${image}', 'image: ${imag}');
    const ds = validateTemplate(text);
    const unknownParam = ds.find((d) => d.message.startsWith('unknown parameter'))!;
    assert.equal(unknownParam.range.start.line, lineOf(text, 'tolerate: all'));
    const t2 = DEFAULT_TEMPLATE.replace('image: ${image}', 'image: ${imag}');
    const unknownPlaceholder = validateTemplate(t2).find((d) => d.message.startsWith('unknown placeholder'))!;
    assert.equal(unknownPlaceholder.range.start.line, lineOf(t2, '${imag}'));
    assert.match(unknownPlaceholder.message, /\$\{image\}/);
  });

  it('refuses a namespace hard-coded in the manifest that differs from the parameter (the vendor script\'s defect)', () => {
    const text = DEFAULT_TEMPLATE.replace('namespace: ${namespace}', 'namespace: kube-system');
    const d = errors(text, { namespace: 'storageos' }).find((x) => x.parameter === 'namespace')!;
    assert.match(d.message, /metadata.namespace is "kube-system", but the run works in namespace "storageos"/);
    // The manifest's line, not the parameters block's line with the same text.
    assert.equal(d.range.start.line, text.split('\n').lastIndexOf('  namespace: kube-system'));
  });

  it('refuses a manifest whose init container does not mount /var/lib/storageos', () => {
    const text = DEFAULT_TEMPLATE.replace('              mountPath: /var/lib/storageos', '              mountPath: /data');
    assert.ok(errors(text).some((d) => /must mount the hostPath \/var\/lib\/storageos/.test(d.message)));
  });

  it('refuses a selector that does not match the pod labels', () => {
    const text = DEFAULT_TEMPLATE.replace('      app: ${name}\n  template:', '      app: other\n  template:');
    assert.ok(errors(text).some((d) => /not among the pod template's labels/.test(d.message)));
  });

  it('reports YAML syntax errors with their line', () => {
    const text = DEFAULT_TEMPLATE.replace('  name: storageos-downgrade-database', '  name: [unclosed');
    const [d] = errors(text);
    assert.match(d!.message, /^YAML:/);
    assert.ok(d!.range.start.line >= lineOf(text, 'name: [unclosed'));
  });

  it('asks for two documents when the parameters block is missing', () => {
    const manifestOnly = DEFAULT_TEMPLATE.slice(DEFAULT_TEMPLATE.indexOf('---') + 4);
    assert.match(errors(manifestOnly)[0]!.message, /two YAML documents/);
  });

  it('warns that daemon-set-controller exists only in kube-system when the namespace changes', () => {
    const r = renderTemplate(DEFAULT_TEMPLATE, { namespace: 'storageos' });
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0]!.parameter, 'serviceAccount');
    assert.match(r.warnings[0]!.message, /exists only in kube-system/);
  });

  it('throws a TemplateInvalidError listing every problem with line and parameter', () => {
    assert.throws(
      () => renderTemplate(DEFAULT_TEMPLATE, { image: 'soegarots/node', cliTool: 'ssh' }),
      (e: unknown) => e instanceof TemplateInvalidError && /parameter image/.test(e.message) && /parameter cliTool/.test(e.message) && /line \d+, column \d+/.test(e.message),
    );
  });
});
