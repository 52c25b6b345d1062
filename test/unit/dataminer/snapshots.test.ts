import * as assert from 'assert';
import { newestBefore, parseSnapshotListing, parseTime } from '../../../src/procedures/dataminer/snapshots';

describe('snapshot listings and the choice of the snapshot to restore', () => {
  it('reads virsh snapshot-list output, with its +hhmm offsets', () => {
    const text = [
      ' Name                 Creation Time               State',
      '---------------------------------------------------------------',
      ' before upgrade       2024-05-02 09:30:00 +0200   shutoff',
      ' after-upgrade        2024-05-02 12:00:00 +0000   running',
    ].join('\n');
    assert.deepStrictEqual(parseSnapshotListing(text), [
      { name: 'before upgrade', createdAt: '2024-05-02T07:30:00.000Z', state: 'off' },
      { name: 'after-upgrade', createdAt: '2024-05-02T12:00:00.000Z', state: 'running' },
    ]);
  });

  it('reads qm listsnapshot trees and skips "current"', () => {
    const text = '`-> pre-upgrade                 2024-05-02 10:11:12     no-description\n    `-> current                  You are here!';
    assert.deepStrictEqual(parseSnapshotListing(text), [{ name: 'pre-upgrade', createdAt: '2024-05-02T10:11:12.000Z' }]);
  });

  it('reads the Hyper-V CSV of the preset (ISO times)', () => {
    const text = '"Name","CreationTime"\r\n"DMA01 - pre 10.3.9","2024-05-02T08:00:00.1234567Z"\r\n';
    assert.deepStrictEqual(parseSnapshotListing(text), [{ name: 'DMA01 - pre 10.3.9', createdAt: '2024-05-02T08:00:00.123Z' }]);
  });

  it('picks the newest snapshot taken strictly before the upgrade', () => {
    const list = [
      { name: 'old', createdAt: '2024-04-01T00:00:00.000Z' },
      { name: 'just-before', createdAt: '2024-05-02T09:59:00.000Z' },
      { name: 'at-upgrade', createdAt: '2024-05-02T10:00:00.000Z' },
      { name: 'after', createdAt: '2024-05-03T00:00:00.000Z' },
    ];
    assert.strictEqual(newestBefore(list, '2024-05-02 10:00:00')?.name, 'just-before');
    assert.strictEqual(newestBefore(list, '2024-04-01T00:00:00Z'), undefined);
  });

  it('treats times without an offset as UTC', () => {
    assert.strictEqual(parseTime('2023-09-05 14:40:02'), Date.UTC(2023, 8, 5, 14, 40, 2));
    assert.strictEqual(parseTime('2023-09-05T14:40:02-01:30'), Date.UTC(2023, 8, 5, 16, 10, 2));
    assert.strictEqual(parseTime('no time here'), undefined);
  });
});
