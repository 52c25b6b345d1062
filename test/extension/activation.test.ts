import * as assert from 'assert';
import { backout } from './util';

function loaded(suffix: string): boolean {
  return Object.keys(require.cache).some((k) => k.replace(/\\/g, '/').endsWith(suffix));
}

describe('Activation', () => {
  it('loads neither client-node nor ssh2 until they are first needed', async () => {
    const api = await backout();
    assert.ok(api.targets, 'the extension activated and returned its API');
    assert.strictEqual(loaded('/dist/kube.js'), false, 'dist/kube.js (client-node) is not loaded at activation');
    assert.strictEqual(loaded('/dist/ssh.js'), false, 'dist/ssh.js (ssh2) is not loaded at activation');
    await api.targets.getChildren();
    assert.strictEqual(loaded('/dist/kube.js'), true, 'the Targets view loads the Kubernetes adapter on first use');
  });
});

describe('Walkthrough', () => {
  it('links only to commands the extension registers', async () => {
    const vscode = await import('vscode');
    await backout();
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'backout');
    const walkthroughs = ext?.packageJSON.contributes.walkthroughs as Array<{ steps: Array<{ description: string }> }>;
    assert.ok(walkthroughs?.length, 'a walkthrough is contributed');
    const linked = walkthroughs.flatMap((w) => w.steps.flatMap((s) => [...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1] as string)));
    assert.ok(linked.length >= 3);
    const registered = await vscode.commands.getCommands(true);
    for (const id of linked) assert.ok(registered.includes(id), `${id} is registered`);
  });
});
