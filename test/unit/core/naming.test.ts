import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { isRunId, makeRunId } from '../../../src/core/run-id';
import { locksDirectory, resolveRunsRoot } from '../../../src/core/runs-root';

describe('run ids', () => {
  it('start with the UTC time and name the procedure', () => {
    const id = makeRunId('ondat-downgrade', new Date(Date.UTC(2026, 10, 22, 15, 45, 1)), () => 0.5);
    assert.equal(id, '20261122-154501-ondat-downgrade-8000');
    assert.equal(isRunId(id), true);
  });

  it('sort by start time as text', () => {
    const ids = [new Date(Date.UTC(2026, 0, 2)), new Date(Date.UTC(2025, 11, 31, 23, 59, 59)), new Date(Date.UTC(2026, 0, 1, 9))].map((d) => makeRunId('p', d));
    assert.deepEqual([...ids].sort(), [ids[1], ids[2], ids[0]]);
  });

  it('reduce an odd procedure id to a slug', () => {
    assert.match(makeRunId('DataMiner: Downgrade/DMS', new Date(0)), /^19700101-000000-dataminer-downgrade-dms-[0-9a-f]{4}$/);
  });

  it('are not confused with other folder names', () => {
    assert.equal(isRunId('locks'), false);
    assert.equal(isRunId('../etc'), false);
  });
});

describe('runs root', () => {
  const homedir = '/home/op';

  it('defaults to ~/.backout/runs', () => {
    assert.equal(resolveRunsRoot({ env: {}, homedir }), path.join(homedir, '.backout', 'runs'));
  });

  it('uses $BACKOUT_HOME/runs when set', () => {
    assert.equal(resolveRunsRoot({ env: { BACKOUT_HOME: '/srv/backout' }, homedir }), path.resolve('/srv/backout/runs'));
  });

  it('prefers $BACKOUT_RUNS_DIR over $BACKOUT_HOME', () => {
    assert.equal(resolveRunsRoot({ env: { BACKOUT_RUNS_DIR: '/data/runs', BACKOUT_HOME: '/srv/backout' }, homedir }), path.resolve('/data/runs'));
  });

  it('lets an explicit setting win, expanding ~', () => {
    assert.equal(resolveRunsRoot({ env: { BACKOUT_RUNS_DIR: '/data/runs' }, homedir, override: '~/my-runs' }), path.join(homedir, 'my-runs'));
  });

  it('ignores an empty setting', () => {
    assert.equal(resolveRunsRoot({ env: { BACKOUT_RUNS_DIR: '/data/runs' }, homedir, override: '  ' }), path.resolve('/data/runs'));
  });

  it('keeps locks in one folder per user, whatever the runs folder (issue 13, case 5)', () => {
    assert.equal(locksDirectory({ env: { BACKOUT_RUNS_DIR: '/data/runs' }, homedir }), path.join(homedir, '.backout', 'locks'));
    assert.equal(locksDirectory({ env: { BACKOUT_RUNS_DIR: '/other/runs' }, homedir }), path.join(homedir, '.backout', 'locks'));
    assert.equal(locksDirectory({ env: { BACKOUT_HOME: '/srv/backout' }, homedir }), path.resolve('/srv/backout/locks'));
    assert.equal(locksDirectory({ env: { BACKOUT_LOCKS_DIR: '~/l', BACKOUT_HOME: '/srv/backout' }, homedir }), path.join(homedir, 'l'));
  });
});
