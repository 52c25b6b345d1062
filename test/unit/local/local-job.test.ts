// What a local job's identity can and cannot be used for: a pid is trusted only with its start time, and pids <= 1
// (0: our own process group; -1: every process we may signal; 1: init) never name a job (issue 17).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectLocalJob, isSameProcessAlive, processStartTicks, signalVerifiedJob } from '../../../src/adapters/local/local-job';
import { isStale, type LockHolder } from '../../../src/core/lock';

const host = os.hostname();

describe('local jobs: identity checks', () => {
  it('never signals or trusts pid 0, 1 or -1', () => {
    for (const pid of [0, 1, -1]) {
      const id = { kind: 'local' as const, host, pid, pgid: pid };
      assert.equal(isSameProcessAlive(id), false, `pid ${pid} is not a job`);
      assert.equal(signalVerifiedJob(id, 'SIGTERM'), false, `pid ${pid} is never signalled`);
    }
  });

  it('does not take a live process with another start time for the job (pid reused)', () => {
    const ticks = processStartTicks(process.pid);
    assert.match(ticks ?? '', /^\d+$/);
    assert.equal(isSameProcessAlive({ kind: 'local', host, pid: process.pid, pgid: process.pid, startTicks: ticks as string }), true);
    assert.equal(isSameProcessAlive({ kind: 'local', host, pid: process.pid, pgid: process.pid, startTicks: '1' }), false);
    assert.equal(signalVerifiedJob({ kind: 'local', host, pid: process.pid, pgid: process.pid, startTicks: '1' }, 'SIGTERM'), false);
  });

  it('reads the exit code the wrapper recorded, before anything else', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-job-'));
    fs.writeFileSync(path.join(folder, 'exit'), '3010\n');
    assert.deepEqual(inspectLocalJob(folder, undefined, host), { state: 'exited', exitCode: 3010, detail: 'exit code 3010, recorded by its job wrapper' });
  });

  it('calls a job that left neither pid nor exit code gone, and one started on another machine unknown', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-job-'));
    assert.equal(inspectLocalJob(folder, undefined, host).state, 'gone');
    assert.equal(inspectLocalJob(folder, { kind: 'local', host: 'elsewhere', pid: 1234, pgid: 1234 }, host).state, 'unknown');
  });

  it('treats a lock holder with pid <= 1 as gone, never as a process to wait for or signal', () => {
    const holder: LockHolder = { runId: 'r', pid: 0, hostname: 'here', user: 'u', startedAt: '2026-01-01T00:00:00Z', target: 't' };
    assert.equal(isStale(holder, { hostname: 'here', pidAlive: () => true }), true);
  });
});
