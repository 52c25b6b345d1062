// The step-log grammar, run by the same TextMate engine and regex library VS Code uses.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const repo = path.resolve(__dirname, '../../../..');

async function grammar(): Promise<textmate.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'text.log.backout'
        ? textmate.parseRawGrammar(fs.readFileSync(path.join(repo, 'syntaxes/backout-log.tmLanguage.json'), 'utf8'), 'backout-log.tmLanguage.json')
        : null,
  });
  const g = await registry.loadGrammar('text.log.backout');
  assert.ok(g, 'the grammar loads');
  return g;
}

function scopesOf(g: textmate.IGrammar, line: string, text: string): string[] {
  const { tokens } = g.tokenizeLine(line, textmate.INITIAL);
  const at = line.indexOf(text);
  assert.ok(at >= 0);
  const token = tokens.find((t) => t.startIndex <= at && at < t.endIndex);
  assert.ok(token, `a token covers "${text}"`);
  return token.scopes;
}

describe('Step log grammar', () => {
  let g: textmate.IGrammar;
  before(async () => {
    g = await grammar();
  });

  it('marks the timestamp of every line', () => {
    const line = '2026-11-22T15:47:53.230Z stdout preparing staging';
    assert.ok(scopesOf(g, line, '2026-11-22T15').includes('constant.numeric.timestamp.backout-log'));
  });

  it('makes the header of each attempt a heading', () => {
    const line = '2026-11-22T15:47:53.224Z info   attempt 1 of prepare on staging by root@vm: Prepare';
    assert.ok(scopesOf(g, line, 'attempt 1').includes('markup.heading.step.backout-log'));
  });

  it('sets stderr lines apart from stdout', () => {
    assert.ok(scopesOf(g, '2026-11-22T15:47:53.230Z stderr a warning', 'a warning').includes('markup.deleted.stderr.backout-log'));
    assert.ok(!scopesOf(g, '2026-11-22T15:47:53.230Z stdout a result', 'a result').includes('markup.deleted.stderr.backout-log'));
  });

  it('makes errors stand out inside output', () => {
    const line = '2026-11-22T15:47:53.231Z stdout ERROR: access denied (exit code 1605)';
    assert.ok(scopesOf(g, line, 'ERROR').includes('invalid.illegal.error.backout-log'));
    assert.ok(scopesOf(g, line, 'exit code 1605').includes('invalid.illegal.error.backout-log'));
    assert.ok(!scopesOf(g, line, 'access').includes('invalid.illegal.error.backout-log'));
  });

  it('colours outcomes: failures as errors, successes as insertions', () => {
    assert.ok(scopesOf(g, '2026-11-22T15:47:53.231Z info   failed after 7 ms: exit 1', 'failed').includes('invalid.illegal.outcome.backout-log'));
    assert.ok(scopesOf(g, '2026-11-22T15:47:53.231Z info   succeeded after 7 ms', 'succeeded').includes('markup.inserted.outcome.backout-log'));
  });
});
