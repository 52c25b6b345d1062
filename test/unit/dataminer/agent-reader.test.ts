// The one Agent reader (src/core/dataminer/agent-facts.ts) as the Targets view uses it: it never throws, records each
// read that failed with what was being read, and tells an Agent it could not reach from one that answered.
import * as assert from 'assert';
import { readAgentFacts, readModuleFacts, readPathPresence, type AgentAnswer, type AgentRead } from '../../../src/core/dataminer/agent-facts';
import { decodeLine } from '../../../src/core/dataminer/windows-commands';

type Answers = Partial<Record<'shell' | 'taskbar' | 'history' | 'programs' | 'installers' | 'test-path', AgentAnswer | 'unreachable'>>;

const ok = (stdout: string): AgentAnswer => ({ exitCode: 0, stdout, failure: '' });
const failed = (failure: string): AgentAnswer => ({ exitCode: 5, stdout: '', failure });

/** An Agent answering each read-only command by what its script reads; records the commands in order. */
function agent(answers: Answers): { read: AgentRead; asked: string[] } {
  const asked: string[] = [];
  const read: AgentRead = async (line) => {
    const script = decodeLine(line) ?? line;
    const kind: keyof Answers =
      line === 'echo %OS%' ? 'shell'
      : /Skyline Taskbar Utility/.test(script) ? 'taskbar'
      : /VersionHistory/.test(script) ? 'history'
      : /Uninstall/.test(script) ? 'programs'
      : /ModuleInstallers/.test(script) ? 'installers'
      : 'test-path';
    asked.push(kind);
    const defaults: Record<keyof Answers, AgentAnswer> = {
      shell: ok('Windows_NT\r\n'),
      taskbar: ok('False\r\nTrue\r\n'),
      history: ok('2023-01-20 09:02:11;10.3.5.0-13485-20230615-release\r\n2023-09-05 14:40:02;10.3.9.0-14000-20250319-release\r\n'),
      programs: ok('"DisplayName","DisplayVersion","PSChildName"\r\n"DataMiner StorageModule","3.0.3","{A}"\r\n'),
      installers: ok('DataMiner StorageModule 1.0.1.msi\r\nreadme.txt\r\n'),
      'test-path': ok('True\r\n'),
    };
    const a = answers[kind] ?? defaults[kind];
    if (a === 'unreachable') throw new Error('Agent dma-01 (10.0.0.1:22): cannot connect: ECONNREFUSED');
    return a;
  };
  return { read, asked };
}

describe('the Agent reader', () => {
  it('reads shell, Taskbar Utility, version history and, on request, modules and installers', async () => {
    const { read } = agent({});
    const f = await readAgentFacts(read, { modules: true });
    assert.strictEqual(f.reachable, true);
    assert.deepStrictEqual(f.failures, []);
    assert.strictEqual(f.error, undefined);
    assert.strictEqual(f.shell, 'cmd');
    assert.match(f.taskbarUtility ?? '', /^C:\\Program Files\\Skyline/);
    assert.strictEqual(f.paths.taskbarUtility, f.taskbarUtility);
    assert.strictEqual(f.version?.build, '10.3.9.0-14000-20250319-release');
    assert.deepStrictEqual(f.modules, [{ module: 'DataMiner StorageModule', version: '3.0.3', productCode: '{A}' }]);
    assert.deepStrictEqual(f.installers, ['DataMiner StorageModule 1.0.1.msi', 'readme.txt']);
  });

  it('skips shell detection when the shell is known, and reads modules only when asked', async () => {
    const { read, asked } = agent({});
    const f = await readAgentFacts(read, { shell: 'powershell' });
    assert.strictEqual(f.shell, 'powershell');
    assert.deepStrictEqual(asked, ['taskbar', 'history']);
    await readModuleFacts(read, f);
    assert.deepStrictEqual(asked.slice(2).sort(), ['installers', 'programs']);
    await readPathPresence(read, f, ['C:\\Skyline DataMiner\\Upgrades\\x.dmupgrade']);
    assert.deepStrictEqual(f.packagesPresent, { 'C:\\Skyline DataMiner\\Upgrades\\x.dmupgrade': true });
  });

  it('keeps what it could read when a command fails, naming what failed and why', async () => {
    const { read } = agent({ history: failed('Get-Content : Access is denied.'), taskbar: ok('False\r\nFalse\r\n') });
    const f = await readAgentFacts(read, { modules: true });
    assert.strictEqual(f.reachable, true);
    assert.strictEqual(f.taskbarUtility, undefined);
    assert.strictEqual(f.version, undefined);
    assert.deepStrictEqual(f.failures, [{ what: 'VersionHistory.txt', reason: 'Get-Content : Access is denied.', reached: true }]);
    assert.strictEqual(f.error, 'Get-Content : Access is denied.');
    assert.strictEqual(f.modules?.length, 1, 'the other reads still answered');
  });

  it('reports an Agent it cannot reach as not reachable, with the reason, without throwing', async () => {
    const { read } = agent({ shell: 'unreachable' });
    const f = await readAgentFacts(read, { modules: true });
    assert.strictEqual(f.reachable, false);
    assert.match(f.error ?? '', /cannot connect: ECONNREFUSED/);
    assert.deepStrictEqual(f.failures.map((x) => [x.what, x.reached]), [['its default shell', false]]);
    assert.strictEqual(f.shell, undefined);
  });
});
