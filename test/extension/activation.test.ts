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
