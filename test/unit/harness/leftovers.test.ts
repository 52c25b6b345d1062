import * as assert from 'assert';
import { spawn } from 'child_process';
import { findMarked, MARKER_VARIABLE, sweepMarked } from '../../harness/leftovers';

describe('test harness: processes a tier leaves behind', function () {
  if (process.platform !== 'linux') return;

  it('finds a detached grandchild by the marker in its environment, kills it, and leaves unmarked processes alone', async () => {
    const marker = `t${process.pid}${Date.now()}`;
    // A shell that starts a detached sleep and exits at once: the sleep is an orphan in a group of its own.
    const starter = spawn('sh', ['-c', 'setsid sleep 300 & echo $!'], { env: { ...process.env, [MARKER_VARIABLE]: marker } });
    const pid = await new Promise<number>((resolve) => starter.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    await new Promise((resolve) => (starter.exitCode !== null ? resolve(undefined) : starter.once('exit', resolve)));
    const unmarked = spawn('sleep', ['300'], { env: { ...process.env, [MARKER_VARIABLE]: 'someone-else' } });
    try {
      assert.deepEqual(findMarked(marker).map((p) => p.pid), [pid]);
      const swept = await sweepMarked(marker);
      assert.deepEqual(swept.map((p) => p.pid), [pid]);
      assert.match(swept[0].command, /sleep 300/);
      assert.deepEqual(findMarked(marker), []);
      assert.equal(unmarked.exitCode, null, 'a process without the marker is not touched');
    } finally {
      unmarked.kill('SIGKILL');
    }
  });
});
