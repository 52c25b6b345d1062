import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileTargetLocks } from '../../../src/adapters/local/file-lock';
import { TargetLockedError, UnreadableLockError } from '../../../src/core/errors';
import { isStale, targetKey, type LockHolder } from '../../../src/core/lock';
import { labTarget, tempDir } from './engine-fixtures';

function holder(runId: string, pid: number, hostname = 'here'): LockHolder {
  return { runId, pid, hostname, user: 'op', startedAt: '2026-11-22T10:00:00.000Z', target: 'lab lab-1' };
}

describe('target lock decisions', () => {
  it('makes a file-safe key from kind and name', () => {
    assert.equal(targetKey({ kind: 'kube-context', name: 'arn:aws:eks:eu/prod cluster' }), 'kube-context--arn_aws_eks_eu_prod_cluster');
  });

  it('calls a holder stale only when it is on this host and its process is gone', () => {
    assert.equal(isStale(holder('r', 10), { hostname: 'here', pidAlive: () => false }), true);
    assert.equal(isStale(holder('r', 10), { hostname: 'here', pidAlive: () => true }), false);
    assert.equal(isStale(holder('r', 10, 'elsewhere'), { hostname: 'here', pidAlive: () => false }), false);
  });
});

describe('file target locks', () => {
  let dir: string;
  const alive = new Set<number>();
  const locks = (): FileTargetLocks => new FileTargetLocks(dir, { hostname: 'here', pidAlive: (pid) => alive.has(pid) });

  beforeEach(() => {
    dir = path.join(tempDir(), 'locks');
    alive.clear();
  });

  it('writes the holder into the lock file', async () => {
    alive.add(100);
    await locks().acquire(labTarget, holder('run-a', 100));
    const file = locks().lockFile(labTarget);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).runId, 'run-a');
  });

  it('refuses a second run while the first holder lives, naming the holder', async () => {
    alive.add(100);
    await locks().acquire(labTarget, holder('run-a', 100));
    await assert.rejects(
      locks().acquire(labTarget, holder('run-b', 200)),
      (e: unknown) => e instanceof TargetLockedError && e.holder.runId === 'run-a' && /run run-a \(pid 100 on here, user op/.test(e.message),
    );
  });

  it('takes over a lock whose process is gone, and says from whom', async () => {
    await locks().acquire(labTarget, holder('run-a', 100));
    const handle = await locks().acquire(labTarget, holder('run-b', 200));
    assert.equal(handle.tookOverFrom?.runId, 'run-a');
    assert.equal((await locks().holder(labTarget))?.runId, 'run-b');
  });

  it('never removes a lock that another process took over from the same stale holder a moment earlier', async () => {
    await locks().acquire(labTarget, holder('dead-run', 100));
    alive.add(200);
    alive.add(300);
    const other = locks();
    let raced: Promise<unknown> | undefined;
    // While this process decides that dead-run is stale, another process takes the lock over (synchronously, as
    // it would between two of our system calls).
    const racing = new FileTargetLocks(dir, {
      hostname: 'here',
      pidAlive: (pid) => {
        if (pid === 100 && !raced) raced = other.acquire(labTarget, holder('run-b', 200));
        return alive.has(pid);
      },
    });
    await assert.rejects(racing.acquire(labTarget, holder('run-c', 300)), (e: unknown) => e instanceof TargetLockedError && e.holder.runId === 'run-b');
    assert.equal(((await raced) as { tookOverFrom?: LockHolder }).tookOverFrom?.runId, 'dead-run');
    assert.equal((await locks().holder(labTarget))?.runId, 'run-b');
  });

  it('never takes over a lock held from another host', async () => {
    await locks().acquire(labTarget, holder('run-a', 100, 'elsewhere'));
    await assert.rejects(locks().acquire(labTarget, holder('run-b', 200)), TargetLockedError);
  });

  it('frees the target on release', async () => {
    alive.add(100);
    const h = await locks().acquire(labTarget, holder('run-a', 100));
    await h.release();
    assert.equal(await locks().holder(labTarget), undefined);
    await locks().acquire(labTarget, holder('run-b', 200));
  });

  it('does not remove a lock that another run has taken over since', async () => {
    const h = await locks().acquire(labTarget, holder('run-a', 100));
    await locks().acquire(labTarget, holder('run-b', 200));
    await h.release();
    assert.equal((await locks().holder(labTarget))?.runId, 'run-b');
  });

  it('reports a damaged lock file instead of guessing', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const file = locks().lockFile(labTarget);
    fs.writeFileSync(file, 'garbage');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    await assert.rejects(locks().acquire(labTarget, holder('run-b', 200)), (e: unknown) => e instanceof UnreadableLockError && e.message.includes(file));
  });

  it('locks targets independently', async () => {
    alive.add(100);
    await locks().acquire(labTarget, holder('run-a', 100));
    await locks().acquire({ ...labTarget, name: 'lab-2' }, holder('run-b', 100));
  });
});

describe('locks that mean the target (issue 13)', () => {
  let dir: string;
  const locks = (pidStart?: (pid: number) => string | undefined): FileTargetLocks =>
    new FileTargetLocks(dir, { hostname: 'here', pidAlive: () => true, ...(pidStart ? { pidStart } : {}) });
  beforeEach(() => {
    dir = path.join(tempDir(), 'locks');
  });

  it('keys a target by its resolved endpoints: two names over the same Agents are one target (case 5)', async () => {
    const a = { kind: 'dms', name: 'a', production: false, endpoints: ['ssh 10.0.0.11:22', 'ssh 10.0.0.12:22'] };
    const b = { kind: 'dms', name: 'b', production: false, endpoints: ['ssh 10.0.0.12:22', 'ssh 10.0.0.11:22'] };
    assert.equal(targetKey(a), targetKey(b));
    await locks().acquire(a, holder('run-a', 100));
    await assert.rejects(locks().acquire(b, holder('run-b', 200)), (e: unknown) => e instanceof TargetLockedError && e.holder.runId === 'run-a');
  });

  it('keeps targets with different endpoints apart', () => {
    const a = { kind: 'kube-context', name: 'x', production: false, endpoints: ['kube https://10.0.0.1:6443 ca=aaaa'] };
    const b = { kind: 'kube-context', name: 'x', production: false, endpoints: ['kube https://10.0.0.1:6443 ca=bbbb'] };
    assert.notEqual(targetKey(a), targetKey(b));
  });

  it('is not re-entrant: the same process and run cannot take the lock twice (case 3)', async () => {
    await locks().acquire(labTarget, holder('run-a', process.pid));
    await assert.rejects(locks().acquire(labTarget, holder('run-a', process.pid)), TargetLockedError);
  });

  it('gives each acquisition its own token, and releases only its own', async () => {
    const first = await locks().acquire(labTarget, holder('run-a', 100));
    const token = (await locks().holder(labTarget))?.token;
    assert.match(token ?? '', /^[0-9a-f]{32}$/);
    await first.release();
    await locks().acquire(labTarget, holder('run-a', 100));
    assert.notEqual((await locks().holder(labTarget))?.token, token);
    await first.release();
    assert.equal((await locks().holder(labTarget))?.runId, 'run-a', 'a stale handle does not release the new holder');
  });

  it('takes over a holder whose pid now names another process (pid reused)', async () => {
    await locks(() => '1000').acquire(labTarget, holder('run-a', 100));
    const handle = await locks(() => '2000').acquire(labTarget, holder('run-b', 200));
    assert.equal(handle.tookOverFrom?.runId, 'run-a');
  });

  it('never takes over a holder whose pid and start time still match', async () => {
    await locks(() => '1000').acquire(labTarget, holder('run-a', 100));
    await assert.rejects(locks(() => '1000').acquire(labTarget, holder('run-b', 200)), TargetLockedError);
  });
});
