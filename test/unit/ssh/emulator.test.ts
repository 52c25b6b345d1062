// The Agent emulator's shells (lab/agent/emulator): what they must do for the injection tests to mean something.
import * as assert from 'node:assert/strict';
import { expandPercent, splitOperators } from '../../../lab/agent/emulator/cmd';
import { parse, PsParseError } from '../../../lab/agent/emulator/powershell';

describe('Agent emulator: cmd.exe line handling', () => {
  it('expands %VAR% also inside quotes and keeps unknown variables as written', () => {
    assert.equal(expandPercent('echo "%OS%" %NOPE%', { OS: 'Windows_NT' }), 'echo "Windows_NT" %NOPE%');
  });
  it('splits on & && || | outside quotes, honours ^ escapes', () => {
    assert.deepEqual(splitOperators('a & b && c || d | e "x & y" ^& z').map((p) => [p.joiner, p.text.trim()]), [
      ['', 'a'],
      ['&', 'b'],
      ['&&', 'c'],
      ['||', 'd'],
      ['|', 'e "x & y" & z'],
    ]);
  });
});

describe('Agent emulator: PowerShell subset', () => {
  it('parses assignments, pipelines, call operator and exit', () => {
    const st = parse("$ErrorActionPreference = 'Stop'\n$p = Start-Process -FilePath 'x' -ArgumentList 'a', 'b' -Wait -PassThru\nexit $p.ExitCode");
    assert.deepEqual(st.map((s) => s.kind), ['assign', 'pipeline', 'exit']);
  });
  it('refuses expandable strings, subexpressions and script blocks instead of guessing', () => {
    for (const src of ['Write-Output "$env:OS"', 'Write-Output $(whoami)', 'Get-ChildItem | ForEach-Object { $_ }', 'Write-Output `n']) {
      assert.throws(() => parse(src), PsParseError, src);
    }
  });
  it('treats doubled single quotes, including typographic ones, as one literal quote', () => {
    const st = parse("Write-Output 'it''s \u2019\u2019ok'");
    assert.deepEqual(st[0]?.kind === 'pipeline' ? st[0].commands[0]?.args : undefined, [{ kind: 'value', value: "it's \u2019ok" }]);
  });
});
