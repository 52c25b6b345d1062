import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { LocalExecutor } from '../../src/adapters/local/local-executor';
import { preparePlan } from '../../src/core/runs';
import { DEFAULT_TEMPLATE, ondatDowngrade } from '../../src/procedures/ondat';
import { resolveTemplate, withTemplateParameter } from '../../src/ui/template/resolve-template';
import { WORKSPACE_TEMPLATE_PATH } from '../../src/ui/template/template-files';
import { backout, eventually } from './util';

const BUILT_IN_IMAGE = 'image: soegarots/node:v2-release-v2.7.0-27';

let folder: string;
let copy: string;

function templateErrors(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Backout template' && d.severity === vscode.DiagnosticSeverity.Error);
}

/** The 0-based line of the first line that contains `text`. */
function lineOf(doc: vscode.TextDocument, text: string): number {
  const line = doc.getText().split('\n').findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `the template contains ${text}`);
  return line;
}

/** Replaces the first occurrence of `from` in the open document, as typing would. */
async function replaceInEditor(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  const offset = doc.getText().indexOf(from);
  assert.ok(offset >= 0, `the template contains ${from}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + from.length)), to);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

async function openCopy(): Promise<vscode.TextDocument> {
  const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('backout.editTemplate');
  assert.ok(uri, 'Edit Downgrade Script Template returns the template it opened');
  return vscode.workspace.openTextDocument(uri);
}

/** Puts the copy back to the built-in text, in the editor and on disk. */
async function resetCopy(): Promise<vscode.TextDocument> {
  const doc = await openCopy();
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), DEFAULT_TEMPLATE);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await doc.save());
  return doc;
}

describe('Template editing: the Ondat downgrade template in the editor', () => {
  before(async () => {
    await backout();
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'the extension-host tests run with a workspace folder');
    folder = ws.uri.fsPath;
    copy = path.join(folder, WORKSPACE_TEMPLATE_PATH);
    fs.rmSync(path.join(folder, '.backout', 'templates'), { recursive: true, force: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(folder, '.backout', 'templates'), { recursive: true, force: true });
  });

  it('creates the workspace copy from the built-in template on first edit and opens it', async () => {
    assert.strictEqual(fs.existsSync(copy), false);
    const doc = await openCopy();
    assert.strictEqual(doc.uri.fsPath, copy);
    assert.strictEqual(fs.readFileSync(copy, 'utf8'), DEFAULT_TEMPLATE);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, copy, 'the copy is in the active editor');
    assert.strictEqual(doc.languageId, 'yaml');
  });

  it('never overwrites an existing copy', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const edited = DEFAULT_TEMPLATE.replace('timeoutSeconds: 1800', 'timeoutSeconds: 900');
    fs.writeFileSync(copy, edited);
    const doc = await openCopy();
    assert.strictEqual(fs.readFileSync(copy, 'utf8'), edited);
    // The editor picks up the change made on disk behind its back.
    await eventually(() => assert.match(doc.getText(), /timeoutSeconds: 900/));
    await resetCopy();
  });

  it('underlines an unpinned image on its line, naming the parameter and the fix', async () => {
    const doc = await resetCopy();
    await eventually(() => assert.deepStrictEqual(templateErrors(doc.uri), []));
    await replaceInEditor(doc, BUILT_IN_IMAGE, 'image: soegarots/node:latest');
    const [d] = await eventually(() => {
      const errors = templateErrors(doc.uri);
      assert.strictEqual(errors.length, 1, 'one problem for one bad value');
      return errors;
    });
    assert.strictEqual(d.range.start.line, lineOf(doc, 'image: soegarots/node:latest'));
    assert.strictEqual(doc.getText(d.range), 'soegarots/node:latest', 'the value itself is underlined');
    assert.match(d.message, /^image "soegarots\/node:latest" is not pinned; add the exact tag/);
    assert.strictEqual(d.code, 'image');
  });

  it('clears the diagnostic once the value is fixed', async () => {
    const doc = await openCopy();
    await replaceInEditor(doc, 'image: soegarots/node:latest', BUILT_IN_IMAGE);
    await eventually(() => assert.deepStrictEqual(templateErrors(doc.uri), []));
  });

  it('reports an unknown parameter on its key and a bad cliTool, each by name', async () => {
    const doc = await openCopy();
    await replaceInEditor(doc, 'cliTool: kubectl', 'cliTool: helm\n  imagePullPolicy: Always');
    const errors = await eventually(() => {
      const e = templateErrors(doc.uri);
      assert.strictEqual(e.length, 2);
      return e;
    });
    const unknown = errors.find((e) => e.code === 'imagePullPolicy');
    const tool = errors.find((e) => e.code === 'cliTool');
    assert.ok(unknown && tool);
    assert.strictEqual(unknown.range.start.line, lineOf(doc, 'imagePullPolicy: Always'));
    assert.match(unknown.message, /unknown parameter "imagePullPolicy"; the template knows namespace, name, image/);
    assert.strictEqual(tool.range.start.line, lineOf(doc, 'cliTool: helm'));
    assert.match(tool.message, /cliTool is "helm"; use kubectl, or oc on OpenShift/);
    await replaceInEditor(doc, 'cliTool: helm\n  imagePullPolicy: Always', 'cliTool: kubectl');
    await eventually(() => assert.deepStrictEqual(templateErrors(doc.uri), []));
  });

  it('reports invalid YAML where it is', async () => {
    const doc = await openCopy();
    await replaceInEditor(doc, 'timeoutSeconds: 1800', 'timeoutSeconds: [1800');
    const [d] = await eventually(() => {
      const e = templateErrors(doc.uri);
      assert.ok(e.length >= 1);
      return e;
    });
    assert.match(d.message, /^YAML: /);
    assert.ok(Math.abs(d.range.start.line - lineOf(doc, 'timeoutSeconds: [1800')) <= 2, `near the broken line, not at line ${d.range.start.line}`);
    await replaceInEditor(doc, 'timeoutSeconds: [1800', 'timeoutSeconds: 1800');
    await eventually(() => assert.deepStrictEqual(templateErrors(doc.uri), []));
  });

  it('previews the rendered DaemonSet read-only, as YAML, with the template\'s values', async () => {
    const doc = await openCopy();
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('backout.previewTemplate', doc.uri);
    assert.ok(uri, 'the preview opened');
    const preview = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(preview.languageId, 'yaml');
    assert.strictEqual(uri.scheme, 'backout-template', 'a virtual document, not a file one could edit');
    const text = preview.getText();
    assert.match(text, /^kind: DaemonSet$/m);
    assert.match(text, /^ {2}name: storageos-downgrade-database$/m);
    assert.match(text, /^ {2}namespace: kube-system$/m);
    assert.match(text, /image: soegarots\/node:v2-release-v2.7.0-27/);
    assert.match(text, /backout\.io\/template-hash: /);
    assert.doesNotMatch(text, /\$\{/, 'every placeholder is substituted');
    assert.doesNotMatch(text, /imagePullSecrets/, 'the empty imagePullSecret is left out');
  });

  it('keeps the preview in step with the template as it is edited', async () => {
    const doc = await openCopy();
    await replaceInEditor(doc, 'name: storageos-downgrade-database', 'name: ondat-db-downgrade');
    const preview = await vscode.workspace.openTextDocument(await vscode.commands.executeCommand<vscode.Uri>('backout.previewTemplate', doc.uri));
    await eventually(() => assert.match(preview.getText(), /^ {2}name: ondat-db-downgrade$/m));
    await eventually(() => assert.match(preview.getText(), /^# Includes unsaved changes: save the template for runs to use them\.$/m));
    assert.ok(await doc.save());
    await eventually(() => assert.doesNotMatch(preview.getText(), /unsaved changes/));
    await replaceInEditor(doc, 'image: soegarots', 'image: Soegarots');
    await eventually(() => assert.match(preview.getText(), /has 1 problem; nothing can be rendered[\s\S]*parameter image: image "Soegarots/));
    await resetCopy();
  });

  it('refuses to preview a template with problems', async () => {
    const doc = await openCopy();
    await replaceInEditor(doc, 'timeoutSeconds: 1800', 'timeoutSeconds: 5');
    await eventually(() => assert.strictEqual(templateErrors(doc.uri).length, 1));
    assert.strictEqual(await vscode.commands.executeCommand('backout.previewTemplate', doc.uri), undefined);
    await resetCopy();
  });

  it('exports a script for oc that calls oc with the template\'s edited values', async () => {
    const doc = await openCopy();
    await replaceInEditor(doc, 'timeoutSeconds: 1800', 'timeoutSeconds: 600');
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('backout.exportDowngradeScript', {
      template: doc.uri,
      cliTool: 'oc',
      context: 'prod-eu',
      destination: 'editor',
    });
    assert.ok(uri, 'the script opened');
    const script = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(script.isUntitled, true);
    assert.strictEqual(script.languageId, 'shellscript');
    const text = script.getText();
    assert.match(text, /^#!\/usr\/bin\/env bash/);
    assert.match(text, /^CLI_TOOL='oc'$/m);
    assert.match(text, /^CONTEXT='prod-eu'$/m);
    assert.match(text, /^TIMEOUT_SECONDS=600$/m, 'the unsaved edit is what is exported');
    assert.doesNotMatch(text, /kubectl/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await resetCopy();
  });

  it('saves the exported script as an executable file where asked', async () => {
    const target = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-export-')), 'downgrade.sh'));
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('backout.exportDowngradeScript', { cliTool: 'kubectl', context: '', destination: target });
    assert.strictEqual(uri?.fsPath, target.fsPath);
    const text = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(text, /^CLI_TOOL='kubectl'$/m);
    assert.match(text, /^CONTEXT=''$/m);
    assert.strictEqual(fs.statSync(target.fsPath).mode & 0o111, 0o111, 'executable');
  });

  it('lets runs use the saved copy in a trusted workspace', async () => {
    fs.writeFileSync(copy, DEFAULT_TEMPLATE.replace('timeoutSeconds: 1800', 'timeoutSeconds: 700'));
    const resolved = await resolveTemplate({ trusted: true });
    assert.strictEqual(resolved.source, 'workspace');
    assert.strictEqual(resolved.origin, WORKSPACE_TEMPLATE_PATH);
    assert.match(resolved.text, /timeoutSeconds: 700/);
    assert.strictEqual(resolved.fallbackReason, undefined);
    // The harness runs VS Code with workspace trust disabled, i.e. every workspace trusted.
    const params = await withTemplateParameter(ondatDowngrade.id, { context: 'prod-eu' });
    assert.deepStrictEqual(Object.keys(params).sort(), ['context', 'template']);
    assert.match(params.template, /timeoutSeconds: 700/);
    const given = await withTemplateParameter(ondatDowngrade.id, { context: 'prod-eu', template: 'given' });
    assert.strictEqual(given.template, 'given', 'a template given by the caller wins');
    assert.deepStrictEqual(await withTemplateParameter('dataminer.downgrade', { dms: 'lab' }), { dms: 'lab' }, 'other procedures take no template');
  });

  it('plans the downgrade DaemonSet from the edited copy it resolved', async () => {
    fs.writeFileSync(copy, DEFAULT_TEMPLATE.replace('name: storageos-downgrade-database', 'name: ondat-db-downgrade'));
    const params = await withTemplateParameter(ondatDowngrade.id, { context: 'staging' });
    // No kube executor: the plan is rendered in full without a cluster, as a dry run shows it.
    const { plan } = await preparePlan(ondatDowngrade, params, { executors: { local: new LocalExecutor() } });
    assert.deepStrictEqual((plan.extra.template as { source: string }).source, 'parameter template');
    const create = plan.steps.find((s) => s.id === 'create-downgrade-daemonset');
    assert.ok(create, 'the plan creates the downgrade DaemonSet');
    const action = create.instances[0]?.action;
    assert.ok(action && action.kind === 'kube' && action.manifest, 'with a manifest');
    assert.match(action.manifest, /^ {2}name: ondat-db-downgrade$/m);
  });

  it('falls back to the built-in template in an untrusted workspace and says why', async () => {
    const resolved = await resolveTemplate({ trusted: false });
    assert.strictEqual(resolved.source, 'built-in');
    assert.strictEqual(resolved.text, DEFAULT_TEMPLATE);
    assert.match(resolved.fallbackReason ?? '', /^workspace not trusted: runs use the built-in template, not \.backout\/templates\/ondat-downgrade-daemonset\.yaml\./);
  });

  it('uses the built-in template when the workspace has no copy', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(copy);
    const resolved = await resolveTemplate({ trusted: true });
    assert.strictEqual(resolved.source, 'built-in');
    assert.strictEqual(resolved.fallbackReason, undefined, 'nothing was left aside');
    assert.deepStrictEqual(await withTemplateParameter(ondatDowngrade.id, { context: 'prod-eu' }), { context: 'prod-eu' });
  });
});
