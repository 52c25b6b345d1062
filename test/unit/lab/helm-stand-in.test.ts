// The lab's helm stand-in parses its command line and values as Helm does, so that a procedure putting values on the
// command line fails (or shows the damage) in the lab as it would against a cluster.
import * as assert from 'node:assert/strict';
import { chartMetadata, defaultValues, merge, render } from '../../../lab/kube/helm/chart';
import { duration, parseFlags, UPGRADE, UsageError } from '../../../lab/kube/helm/flags';
import { applySet } from '../../../lab/kube/helm/strvals';

describe('lab helm stand-in: command line and values', () => {
  it('splits --set at commas: a comma-separated endpoint list is refused, a second key is injected', () => {
    assert.throws(() => applySet({}, 'cluster.kvBackend.address=203.0.113.10:2379,203.0.113.11:2379', true), /key "203\.0\.113\.11:2379" has no value/);
    const v: Record<string, unknown> = {};
    applySet(v, 'cluster.admin.password=abc,cluster.create=false', false);
    assert.deepEqual(v, { cluster: { admin: { password: 'abc' }, create: false } });
  });

  it('treats a backslash as an escape, so a password loses it', () => {
    const v: Record<string, unknown> = {};
    applySet(v, 'p=se\\cret\\,x', true);
    assert.deepEqual(v, { p: 'secret,x' });
  });

  it('refuses an unknown flag and keeps every -f in order', () => {
    assert.throws(() => parseFlags(['upgrade', '--values-from-env'], UPGRADE), (e: unknown) => e instanceof UsageError && /unknown flag: 'values-from-env'/.test(e.message));
    const p = parseFlags(['r', 'c', '-f', 'a.yaml', '--values=b.yaml', '-n', 'ns'], UPGRADE);
    assert.deepEqual(p.flags.get('values'), ['a.yaml', 'b.yaml']);
    assert.deepEqual(p.positional, ['r', 'c']);
    assert.deepEqual(p.flags.get('namespace'), ['ns']);
  });

  it('reads --timeout as Go durations', () => {
    assert.equal(duration('15m'), 900_000);
    assert.equal(duration('1m30s'), 90_000);
    assert.throws(() => duration('15 minutes'), /invalid duration/);
  });

  it('renders ondat-operator 0.5.5 only, and requires the etcd address and the admin password as the chart does', () => {
    assert.throws(() => chartMetadata({ repo: 'ondat', name: 'ondat', version: '0.2.0' }), /chart "ondat" matching 0\.2\.0 not found/);
    const meta = chartMetadata({ repo: 'ondat', name: 'ondat-operator', version: '0.5.5' });
    assert.equal(meta.appVersion, 'v2.6.0');
    assert.throws(() => render('ondat', 'storageos', meta, defaultValues(meta.appVersion)), /cluster\.admin\.password must be set/);
    const objects = render('ondat', 'storageos', meta, merge(defaultValues(meta.appVersion), { cluster: { admin: { password: 'pw' }, kvBackend: { address: 'etcd:2379', tlsSecretName: '' } } }));
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata?.name}`), ['ConfigMap/storageos-related-images', 'Deployment/ondat-ondat-operator', 'Secret/storageos-api', 'StorageOSCluster/storageos']);
    const cr = objects[3] as { spec: Record<string, unknown> };
    assert.equal(cr.spec.tlsEtcdSecretRefName, undefined, 'an empty tlsSecretName renders no TLS');
    assert.deepEqual(cr.spec.kvBackend, { address: 'etcd:2379', backend: 'etcd' });
  });
});
