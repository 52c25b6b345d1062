import * as assert from 'node:assert/strict';
import { DEFAULT_AGENT_PATHS, detectShell, readVersionHistory, taskbar } from '../../../src/core/dataminer/windows-commands';
import { parseVersionHistory } from '../../../src/core/dataminer/agent-output';
import { endpointOf, labPool, MemorySink } from './helpers';
import { sharedLab, tempDir } from './lab';

describe('exec against an emulated Agent on a real sshd', () => {
  it('reads VersionHistory.txt and streams it line by line without CR', async () => {
    const lab = await sharedLab();
    const pool = labPool(lab, tempDir('exec'));
    const sink = new MemorySink();
    const r = await pool.exec(endpointOf(lab, lab.agent('dma-01')), readVersionHistory(DEFAULT_AGENT_PATHS, 'cmd').line, { sink });
    assert.equal(r.exitCode, 0);
    const entries = parseVersionHistory(r.stdout);
    assert.equal(entries[entries.length - 1]?.version, '10.3.9.0');
    assert.ok(sink.text('stdout').length >= 3);
    assert.ok(sink.text('stdout').every((l) => !l.includes('\r')));
  });

  it('gets the exit status of 300 instant commands in a row (OpenSSH sends it together with the exec reply)', async () => {
    const lab = await sharedLab();
    const jump = lab.jumpHost;
    assert.ok(jump !== undefined);
    const pool = labPool(lab, tempDir('exec'));
    const plain = { name: 'plain-sshd', host: jump.host, port: jump.port, user: jump.user, identityFiles: [lab.clientKeyPath], identitiesOnly: true, jumps: [] };
    const codes: number[] = [];
    for (let i = 0; i < 300; i++) codes.push((await pool.exec(plain, i % 2 === 0 ? 'true' : 'exit 3')).exitCode);
    assert.deepEqual(codes, codes.map((_, i) => (i % 2 === 0 ? 0 : 3)));
  });

  it('answers the shell probe as cmd.exe on a cmd Agent and as PowerShell on a PowerShell Agent', async () => {
    const lab = await sharedLab();
    const pool = labPool(lab, tempDir('exec'));
    const cmd = await pool.exec(endpointOf(lab, lab.agent('dma-01')), detectShell().line);
    const ps = await pool.exec(endpointOf(lab, lab.agent('dma-02')), detectShell().line);
    assert.equal(cmd.stdout.trim(), 'Windows_NT');
    assert.equal(ps.stdout.trim(), '%OS%');
  });

  it('stops DataMiner through the Taskbar Utility under a PowerShell DefaultShell', async () => {
    const lab = await sharedLab();
    const pool = labPool(lab, tempDir('exec'));
    const r = await pool.exec(endpointOf(lab, lab.agent('dma-02')), taskbar('stop', DEFAULT_AGENT_PATHS, 'powershell').line);
    assert.equal(r.exitCode, 0);
    assert.equal(lab.state('dma-02').status, 'Not running');
    await pool.exec(endpointOf(lab, lab.agent('dma-02')), taskbar('start', DEFAULT_AGENT_PATHS, 'powershell').line);
    assert.equal(lab.state('dma-02').status, 'Running');
  });
});
