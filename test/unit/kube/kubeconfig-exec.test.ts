// Exec plugin commands in kubeconfig: a relative path is resolved against the file's folder, a bare name is not.
import * as assert from 'assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { kubeconfigFiles, loadKubeconfig } from '../../../src/adapters/kube/index';

describe('kube adapter: exec plugin commands in kubeconfig', function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'backout-kc-exec-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves ./relative commands against the folder of the file that names them, as kubectl does', function () {
    const sub = join(dir, 'team');
    mkdirSync(sub);
    const exec = (command: string) => ({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command } });
    writeFileSync(
      join(sub, 'config'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://k.example:6443' } }],
        users: [
          { name: 'relative', user: exec('./bin/get-token') },
          { name: 'bare', user: exec('kubelogin') },
          { name: 'absolute', user: exec('/usr/local/bin/aws') },
        ],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'relative' } }],
      }),
    );
    const loaded = loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: join(sub, 'config') } }));
    const command = (name: string) => (loaded.kubeConfig.getUser(name)?.exec as { command: string }).command;
    assert.strictEqual(command('relative'), join(sub, 'bin', 'get-token'));
    assert.strictEqual(command('bare'), 'kubelogin');
    assert.strictEqual(command('absolute'), '/usr/local/bin/aws');
  });
});
