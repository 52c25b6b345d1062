// The engine's SSH executor against real sshds of the Agent lab: hosts resolved through an SSH config, host keys
// checked against known_hosts, output streamed line by line, exit codes and failures of the means reported.
import * as assert from 'assert';
import * as path from 'node:path';
import type { SshAction } from '../../../src/core/plan';
import type { ExecutionRequest } from '../../../src/core/ports';
import { createSshExecutor, type SshExecutor } from '../../../src/adapters/ssh/executor';
import { HostKeyUnknownError, CommandCancelledError } from '../../../src/adapters/ssh/errors';
import { readVersionHistory, DEFAULT_AGENT_PATHS } from '../../../src/core/dataminer/windows-commands';
import { refuseAll, startDms, target, type DmsLab } from './dms-lab';


function request(host: string, command: string, signal = new AbortController().signal): { req: ExecutionRequest<SshAction>; lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const action: SshAction = { kind: 'ssh', host, command };
  return { req: { action, target, step: 'test', instance: host, signal, output: { line: (s, t) => lines.push([s, t]) } }, lines };
}

describe('the SSH executor (Agent lab)', function () {
  this.timeout(60_000);
  let dms: DmsLab;
  let executor: SshExecutor;

  before(async () => {
    dms = await startDms([{ name: 'dma-01', version: '10.3.9' }]);
    executor = createSshExecutor({
      prompter: refuseAll,
      agent: null,
      sshConfig: { configFile: path.join(dms.home, '.ssh', 'config'), homeDir: dms.home },
      userKnownHostsFiles: [path.join(dms.home, '.ssh', 'known_hosts')],
      backoutKnownHostsFile: path.join(dms.home, 'backout_known_hosts'),
    });
  });
  after(async () => {
    await executor.close();
    await dms.stop();
  });

  it('runs a command on the Agent named in the action and streams its lines', async () => {
    const { req, lines } = request('dma-01', readVersionHistory(DEFAULT_AGENT_PATHS, 'cmd').line);
    const r = await executor.execute(req);
    assert.strictEqual(r.exitCode, 0);
    assert.ok(lines.length >= 3);
    assert.match(lines[lines.length - 1]?.[1] ?? '', /;10\.3\.9\.0-\d+-\d+-release$/);
    assert.ok(lines.every(([s]) => s === 'stdout'));
  });

  it('returns a failing command\'s exit code with its stderr lines (not an error)', async () => {
    const { req, lines } = request('dma-01', 'nosuchprogram');
    const r = await executor.execute(req);
    // 9009 from cmd.exe; a Linux sshd keeps its low 8 bits.
    assert.strictEqual(r.exitCode, 9009 & 0xff);
    assert.ok(lines.some(([s, t]) => s === 'stderr' && /is not recognized/.test(t)));
  });

  it('stops waiting for a command when the step is cancelled', async () => {
    dms.lab.setFaults('dma-01', { hang: 'hang-me' });
    try {
      const controller = new AbortController();
      const { req } = request('dma-01', 'echo hang-me', controller.signal);
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('cancelled by test')), 300);
      await assert.rejects(executor.execute(req), CommandCancelledError);
      assert.ok(Date.now() - started < 15_000);
    } finally {
      dms.lab.setFaults('dma-01', {});
    }
  });

  it('refuses a host whose key is not known (and not accepted), naming it', async () => {
    const other = createSshExecutor({
      prompter: refuseAll,
      agent: null,
      sshConfig: { configFile: path.join(dms.home, '.ssh', 'config'), homeDir: dms.home },
      userKnownHostsFiles: [],
      backoutKnownHostsFile: path.join(dms.home, 'empty_known_hosts'),
    });
    try {
      await assert.rejects(other.execute(request('dma-01', 'echo %OS%').req), (e: Error) => e instanceof HostKeyUnknownError && /dma-01/.test(e.message));
    } finally {
      await other.close();
    }
  });
});
