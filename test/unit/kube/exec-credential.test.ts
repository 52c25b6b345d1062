// Exec credential plugins: cached until expiry, shared by concurrent callers, and failures named.
import * as assert from 'assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ExecCredentialSource } from '../../../src/adapters/kube/exec-credential';
import { KubeExecPluginError } from '../../../src/adapters/kube/index';

const target = { context: 'prod', server: 'https://k8s.example:6443', user: 'sso' };

describe('kube adapter: exec credential plugin', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'backout-exec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A plugin that logs each run and prints a token expiring `expiresInMs` from now (none when undefined). */
  function plugin(expiresInMs?: number): string {
    const file = join(dir, 'plugin.js');
    writeFileSync(
      file,
      `require('fs').appendFileSync(${JSON.stringify(join(dir, 'runs'))}, 'run\\n');
       const exp = ${expiresInMs === undefined ? 'undefined' : `new Date(Date.now() + ${expiresInMs}).toISOString()`};
       console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'tok-' + process.env.KUBERNETES_EXEC_INFO.length + '-' + process.env.EXTRA, expirationTimestamp: exp } }));`,
    );
    return file;
  }
  const runs = () => readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length;

  it('runs once for concurrent callers and keeps a credential without expiry', async function () {
    const source = new ExecCredentialSource({ command: process.execPath, args: [plugin()], env: [{ name: 'EXTRA', value: 'x' }] }, target, 10_000);
    const got = await Promise.all([source.get(), source.get(), source.get()]);
    await source.get();
    assert.ok(got.every((c) => c.token === got[0].token && /^tok-\d+-x$/.test(c.token ?? '')));
    assert.strictEqual(runs(), 1);
  });

  it('runs again when the credential is about to expire, and after invalidate()', async function () {
    const expiring = new ExecCredentialSource({ command: process.execPath, args: [plugin(5_000)] }, target, 10_000);
    await expiring.get();
    await expiring.get();
    assert.strictEqual(runs(), 2);
    const lasting = new ExecCredentialSource({ command: process.execPath, args: [plugin(3_600_000)] }, target, 10_000);
    await lasting.get();
    await lasting.get();
    lasting.invalidate();
    await lasting.get();
    assert.strictEqual(runs(), 4);
  });

  it('rejects output that is not an ExecCredential with a token, naming the plugin and context', async function () {
    const file = join(dir, 'bad.js');
    writeFileSync(file, "console.log(JSON.stringify({ kind: 'ExecCredential', status: {} }))");
    const source = new ExecCredentialSource({ command: process.execPath, args: [file] }, target, 10_000);
    await assert.rejects(source.get(), (err: unknown) => {
      assert.ok(err instanceof KubeExecPluginError);
      assert.match(err.message, /^Kubernetes context "prod" \(https:\/\/k8s\.example:6443\): the credential plugin ".*" of user "sso" printed an ExecCredential without a token/);
      return true;
    });
  });
});
