import * as assert from 'node:assert/strict';
import { decideRemoteJob, parseJobStatus, PID_GRACE_MS, remoteJobFiles, remoteJobId, RemoteJobStatusError } from '../../../src/core/remote-job';
import { encodedScript, jobScript, launchJob, abandonJob, readJob, RemoteJobCommandError } from '../../../src/core/remote-job-commands';

const FILE = 'C:\\ProgramData\\Backout\\jobs\\x.status';
const T0 = Date.parse('2026-12-07T22:00:00.0000000Z');

describe('remote job identity: names and status files', () => {
  it('names a job by run, step, instance and attempt, as a plain file name', () => {
    assert.equal(remoteJobId('20261207-220000-dataminer-downgrade-ab12/swap-stop-dataminer/dma-01/2'), '20261207-220000-dataminer-downgrade-ab12.swap-stop-dataminer.dma-01.2');
  });

  it('keeps two keys apart that differ only in characters a file name cannot hold', () => {
    const a = remoteJobId('run/step/agent one/1');
    const b = remoteJobId('run/step/agent_one/1');
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9._-]+$/);
  });

  it('reads start time, pid and a signed Windows exit code as the unsigned code', () => {
    const r = parseJobStatus(FILE, true, ['2026-12-07T22:00:00.0000000Z', '4242', '-1073741819']);
    assert.deepEqual(r, { exists: true, startedAt: T0, pid: 4242, exitCode: 3221225477 });
  });

  it('reads the claim of a later session as abandoned', () => {
    assert.deepEqual(parseJobStatus(FILE, true, ['abandoned']), { exists: true, abandoned: true });
  });

  it('refuses a status file it did not write, naming the file', () => {
    assert.throws(() => parseJobStatus(FILE, true, ['yesterday']), (e: unknown) => e instanceof RemoteJobStatusError && e.message.includes(FILE));
    assert.throws(() => parseJobStatus(FILE, true, ['2026-12-07T22:00:00Z', 'pid']), RemoteJobStatusError);
  });
});

describe('remote job identity: what a resume makes of it', () => {
  it('no status file: the command never started', () => {
    assert.equal(decideRemoteJob({ exists: false }, undefined, T0, 'dma-01').state, 'not-started');
  });

  it('an exit code recorded: it exited with that code', () => {
    const s = decideRemoteJob({ exists: true, startedAt: T0, pid: 7, exitCode: 1605 }, undefined, T0, 'dma-01');
    assert.deepEqual(s.state === 'exited' ? s.exitCode : undefined, 1605);
  });

  it('its pid alive and started after the launcher: still running', () => {
    assert.equal(decideRemoteJob({ exists: true, startedAt: T0, pid: 7 }, { pid: 7, startedAt: T0 + 300 }, T0 + 5000, 'dma-01').state, 'running');
  });

  it('its pid now names a process started long before: not the job (pid reused), nothing can be known', () => {
    assert.equal(decideRemoteJob({ exists: true, startedAt: T0, pid: 7 }, { pid: 7, startedAt: T0 - 3_600_000 }, T0 + 5000, 'dma-01').state, 'unknown');
  });

  it('its pid gone without an exit code: nothing can be known (verification, then the user)', () => {
    assert.equal(decideRemoteJob({ exists: true, startedAt: T0, pid: 7 }, undefined, T0 + 5000, 'dma-01').state, 'unknown');
  });

  it('launched but no pid yet: being created within the grace, unknown after it', () => {
    assert.equal(decideRemoteJob({ exists: true, startedAt: T0 }, undefined, T0 + 1000, 'dma-01').state, 'running');
    assert.equal(decideRemoteJob({ exists: true, startedAt: T0 }, undefined, T0 + PID_GRACE_MS + 1, 'dma-01').state, 'unknown');
  });
});

describe('remote job commands', () => {
  const encoded = (script: string): string => `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -InputFormat None -EncodedCommand ${Buffer.from(script, 'utf16le').toString('base64')}`;

  it('finds the script of a rendered line, for either shell', () => {
    assert.equal(encodedScript(encoded("exit 3")), 'exit 3');
    assert.equal(encodedScript(`& ${encoded("exit 3")}; exit $LASTEXITCODE`), 'exit 3');
    assert.equal(encodedScript('echo %OS%'), undefined);
  });

  it('creates the status file before the process, refusing an existing one, and creates the process through WMI', () => {
    const script = Buffer.from(/-EncodedCommand (\S+)/.exec(launchJob('r.s.i.1', encoded("exit 0"), 'cmd').line)?.[1] ?? '', 'base64').toString('utf16le');
    const statusAt = script.indexOf(`New-Item -ItemType File -Path '${remoteJobFiles('r.s.i.1').status}'`);
    const createAt = script.indexOf('Invoke-WmiMethod -Class Win32_Process -Name Create');
    assert.ok(statusAt > 0 && createAt > statusAt, script);
    assert.doesNotMatch(script.slice(statusAt, createAt), /-Force/);
  });

  it('keeps a value with quotes a literal (no injection through the command line)', () => {
    const s = jobScript('r.s.i.1', "echo it's'; Remove-Item C:\\", 'cmd');
    assert.match(s, /'\/d \/s \/c "echo it''s''; Remove-Item C:\\"'/);
  });

  it('stays within cmd.exe\'s limit for an operation as long as an UpgradeInfo.xml write, and says so when a line is too long', () => {
    assert.ok(launchJob('r.s.i.1', encoded('x'.repeat(1200)), 'cmd').line.length <= 8191);
    assert.throws(() => launchJob('r.s.i.1', encoded('x'.repeat(4000)), 'cmd'), RemoteJobCommandError);
  });

  it('refuses a job id that is not a plain file name and a marker that could be forged', () => {
    assert.throws(() => abandonJob('..\\x', 'cmd'), RemoteJobCommandError);
    assert.throws(() => readJob('r.s.i.1', "a'b", 0, 0, 'cmd'), RemoteJobCommandError);
  });
});
