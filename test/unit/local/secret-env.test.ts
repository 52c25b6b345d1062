import * as assert from 'node:assert/strict';
import { LocalExecutor } from '../../../src/adapters/local/local-executor';
import { childEnv, isSecretEnvName } from '../../../src/core/secret-env';

describe('BACKOUT_SECRET_* variables', () => {
  it('are never in a child process\'s environment', () => {
    const env = childEnv({ PATH: '/bin', BACKOUT_SECRET_TOKEN: 'x', backout_secret_lower: 'y', BACKOUT_RUNS_DIR: '/r' });
    assert.deepEqual(env, { PATH: '/bin', BACKOUT_RUNS_DIR: '/r' });
    assert.equal(isSecretEnvName('Backout_Secret_X'), true, 'Windows names are case-insensitive');
  });

  it('are not inherited by a local step, even when the host process has them (the extension)', async () => {
    process.env.BACKOUT_SECRET_LOCAL_TEST = 'inherited-value';
    try {
      const lines: string[] = [];
      const r = await new LocalExecutor().execute({
        action: { kind: 'local', argv: ['sh', '-c', 'echo "seen ${BACKOUT_SECRET_LOCAL_TEST:-nothing}"; echo "given $GIVEN"'], env: { GIVEN: 'by the action' } },
        target: { kind: 'lab', name: 'lab', production: false },
        step: 's',
        instance: 'i',
        signal: new AbortController().signal,
        output: { line: (_s, text) => lines.push(text) },
      });
      assert.equal(r.exitCode, 0);
      assert.deepEqual(lines, ['seen nothing', 'given by the action']);
    } finally {
      delete process.env.BACKOUT_SECRET_LOCAL_TEST;
    }
  });
});
