import * as assert from 'assert';
import type { CheckAction, TargetRef } from '../../../src/core/plan';
import type { FactsContext } from '../../../src/core/procedure';
import { AgentFactError, AgentsDisagreeError } from '../../../src/procedures/dataminer/errors';
import { gatherDmsFacts, gatherModuleFacts } from '../../../src/procedures/dataminer/facts';
import { decodeLine } from '../../../src/core/dataminer/windows-commands';

/** Answers the read-only commands as Agents would; records every command per host. */
function context(agents: Record<string, { shell: 'cmd' | 'powershell'; history: string[]; taskbar?: [boolean, boolean] }>): { ctx: FactsContext; seen: string[] } {
  const seen: string[] = [];
  const target: TargetRef = { kind: 'dms', name: 'lab', production: false };
  const ctx: FactsContext = {
    target,
    params: {},
    signal: new AbortController().signal,
    read: async (action: CheckAction) => {
      assert.ok(action.kind === 'ssh');
      const a = agents[action.host];
      assert.ok(a, `known host ${action.host}`);
      if (action.command === 'echo %OS%') return { exitCode: 0, output: [a.shell === 'cmd' ? 'Windows_NT' : '%OS%'] };
      const script = decodeLine(action.command) ?? '';
      seen.push(`${action.host}: ${script.split('\n').slice(2).join(' ')}`);
      if (a.shell === 'powershell') assert.match(action.command, /^& powershell\.exe .*; exit \$LASTEXITCODE$/);
      if (/Test-Path/.test(script)) return { exitCode: 0, output: (a.taskbar ?? [true, false]).map((b) => (b ? 'True' : 'False')) };
      if (/VersionHistory/.test(script)) return { exitCode: 0, output: a.history };
      if (/Uninstall/.test(script)) return { exitCode: 0, output: ['"DisplayName","DisplayVersion","PSChildName"', '"DataMiner StorageModule","3.0.3","{A}"', '"Other","1.0","{B}"'] };
      if (/ModuleInstallers/.test(script)) return { exitCode: 0, output: ['DataMiner StorageModule 1.0.1.msi', 'readme.txt'] };
      return { exitCode: 1, output: ['unexpected'] };
    },
  };
  return { ctx, seen };
}

const h = (build: string): string[] => ['2023-01-20 09:02:11;10.3.5.0-1-20230101-release', `2023-09-05 14:40:02;${build}`];

describe('facts read from the Agents', () => {
  it('reads each Agent\'s shell, Taskbar Utility location and version, read-only', async () => {
    const { ctx, seen } = context({
      'dma-1': { shell: 'cmd', history: h('10.3.9.0-13201-20230830-release') },
      'dma-2': { shell: 'powershell', history: h('10.3.9.0-13201-20230830-release'), taskbar: [false, true] },
    });
    const facts = await gatherDmsFacts(ctx, 'lab', [{ name: 'dma-1', address: '10.0.0.1' }, { name: 'dma-2', address: '10.0.0.2' }]);
    assert.strictEqual(facts.version.raw, '10.3.9.0-13201-20230830-release');
    assert.deepStrictEqual(facts.agents.map((a) => a.shell), ['cmd', 'powershell']);
    assert.match(facts.agents[1]?.paths.taskbarUtility ?? '', /^C:\\Program Files\\Skyline/);
    assert.ok(seen.every((s) => /Get-Content|Test-Path/.test(s)), 'only reads');
  });

  it('refuses when the Agents run different versions, listing each Agent with its address and version', async () => {
    const { ctx } = context({
      'dma-1': { shell: 'cmd', history: h('10.3.9.0-13201-20230830-release') },
      'dma-2': { shell: 'cmd', history: h('10.3.8.0-13100-20230701-release') },
    });
    await assert.rejects(
      gatherDmsFacts(ctx, 'lab', [{ name: 'dma-1', address: '10.0.0.1' }, { name: 'dma-2', address: '10.0.0.2' }]),
      (e: Error) => e instanceof AgentsDisagreeError && /dma-1 \(10\.0\.0\.1\): 10\.3\.9/.test(e.message) && /dma-2 \(10\.0\.0\.2\): 10\.3\.8/.test(e.message),
    );
  });

  it('says which Agent has no Taskbar Utility or no version history', async () => {
    const { ctx } = context({ 'dma-1': { shell: 'cmd', history: h('10.3.9.0-1-20230830-release'), taskbar: [false, false] } });
    await assert.rejects(gatherDmsFacts(ctx, 'lab', [{ name: 'dma-1', address: '10.0.0.1' }]), (e: Error) => e instanceof AgentFactError && /Agent dma-1 \(10\.0\.0\.1\)/.test(e.message) && /SLTaskbarUtility/.test(e.message));
    const empty = context({ 'dma-1': { shell: 'cmd', history: [] } });
    await assert.rejects(gatherDmsFacts(empty.ctx, 'lab', [{ name: 'dma-1', address: '10.0.0.1' }]), /VersionHistory\.txt has no version line/);
  });

  it('refuses an Agent it cannot reach or whose answer fails, naming what was being read and what to check', async () => {
    const target: TargetRef = { kind: 'dms', name: 'lab', production: false };
    const unreachable: FactsContext = { target, params: {}, signal: new AbortController().signal, read: () => Promise.reject(new Error('cannot connect: ECONNREFUSED')) };
    await assert.rejects(
      gatherDmsFacts(unreachable, 'lab', [{ name: 'dma-1', address: '10.0.0.1' }]),
      (e: Error) => e instanceof AgentFactError && /Agent dma-1 \(10\.0\.0\.1\): could not read its default shell: cannot connect: ECONNREFUSED\. Check that the Agent is reachable over SSH/.test(e.message),
    );
    const denied = context({ 'dma-1': { shell: 'cmd', history: h('10.3.9.0-1-20230830-release') } });
    const read = denied.ctx.read;
    denied.ctx.read = async (action) => (/VersionHistory/.test(decodeLine((action as { command: string }).command) ?? '') ? { exitCode: 5, output: ['Access is denied.'] } : read(action));
    await assert.rejects(
      gatherDmsFacts(denied.ctx, 'lab', [{ name: 'dma-1', address: '10.0.0.1' }]),
      (e: Error) => e instanceof AgentFactError && /could not read VersionHistory\.txt: exit code 5 \(Access is denied\.\)\. Check the account has administrator rights/.test(e.message),
    );
    // Read in the Agent's order: without a Taskbar Utility, that is what it says first.
    const neither = context({ 'dma-1': { shell: 'cmd', history: h('10.3.9.0-1-20230830-release'), taskbar: [false, false] } });
    const readNeither = neither.ctx.read;
    neither.ctx.read = async (action) => (/VersionHistory/.test(decodeLine((action as { command: string }).command) ?? '') ? { exitCode: 5, output: ['Access is denied.'] } : readNeither(action));
    await assert.rejects(gatherDmsFacts(neither.ctx, 'lab', [{ name: 'dma-1', address: '10.0.0.1' }]), /could not read the Taskbar Utility: SLTaskbarUtility\.exe is in none of/);
  });

  it('reads installed modules and the ModuleInstallers folder when the swap applies', async () => {
    const { ctx } = context({ 'dma-1': { shell: 'cmd', history: h('10.3.9.0-1-20230830-release') } });
    const facts = await gatherDmsFacts(ctx, 'lab', [{ name: 'dma-1', address: '10.0.0.1' }]);
    await gatherModuleFacts(ctx, facts);
    assert.deepStrictEqual(facts.agents[0]?.modules, [{ module: 'DataMiner StorageModule', version: '3.0.3', productCode: '{A}' }]);
    assert.deepStrictEqual(facts.agents[0]?.installers, ['DataMiner StorageModule 1.0.1.msi', 'readme.txt']);
  });
});
