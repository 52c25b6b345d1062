// Finding pods that use volumes of a provisioner, from StorageClasses, claims and pods.
import * as assert from 'assert';
import { findVolumeUsers, PersistentVolumeClaim, Pod, StorageClass } from '../../../src/adapters/kube/index';

const classes: StorageClass[] = [
  { metadata: { name: 'storageos' }, provisioner: 'csi.storageos.com' },
  { metadata: { name: 'fast' }, provisioner: 'csi.storageos.com' },
  { metadata: { name: 'standard' }, provisioner: 'rancher.io/local-path' },
];
const claim = (ns: string, name: string, sc?: string): PersistentVolumeClaim => ({ metadata: { namespace: ns, name }, spec: { storageClassName: sc } });
const pod = (ns: string, name: string, ...claims: string[]): Pod => ({
  metadata: { namespace: ns, name },
  spec: { containers: [{ name: 'c' }], volumes: [{ name: 'cfg', configMap: { name: 'x' } }, ...claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } }))] },
});

describe('kube adapter: volume users', function () {
  it('finds pods mounting claims of any StorageClass of the provisioner, per namespace', function () {
    const claims = [claim('shop', 'db', 'storageos'), claim('shop', 'cache', 'standard'), claim('web', 'db', 'standard'), claim('web', 'files', 'fast'), claim('x', 'none')];
    const pods = [pod('shop', 'db-0', 'db'), pod('shop', 'cache-0', 'cache'), pod('web', 'db-0', 'db'), pod('web', 'app', 'files', 'db'), pod('x', 'y', 'none'), pod('y', 'orphan', 'db')];
    assert.deepStrictEqual(findVolumeUsers('csi.storageos.com', classes, claims, pods), [
      { namespace: 'shop', pod: 'db-0', claim: 'db', storageClass: 'storageos' },
      { namespace: 'web', pod: 'app', claim: 'files', storageClass: 'fast' },
    ]);
  });

  it('finds nothing when no StorageClass has the provisioner', function () {
    assert.deepStrictEqual(findVolumeUsers('csi.example.com', classes, [claim('a', 'b', 'storageos')], [pod('a', 'p', 'b')]), []);
  });
});
