// `backout plan|run --params-file F`: the answers of a run from a JSON or YAML file, overridden by --param.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseParamsFile } from '../../../src/adapters/local/params-file';
import { backout, testProcedures } from './cli-process';

describe('backout --params-file', function () {
  this.timeout(30_000);
  let work: string;
  let env: Record<string, string>;
  const plan = (...args: string[]) => backout(['plan', 'test-sequence', ...args, '--json', '--procedures', testProcedures], env);

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-params-'));
    env = { BACKOUT_RUNS_DIR: path.join(work, 'runs') };
  });

  it('plans with the parameters of a JSON file', () => {
    fs.writeFileSync(path.join(work, 'p.json'), JSON.stringify({ procedure: 'test-sequence', params: { dir: work, target: 'from-file' } }));
    const r = plan('--params-file', path.join(work, 'p.json'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { params: unknown }).params, { target: 'from-file', production: false, dir: work, hold: false });
  });

  it('reads YAML, and a --param given as well wins over the file', () => {
    fs.writeFileSync(path.join(work, 'p.yaml'), `params:\n  dir: ${JSON.stringify(work)}\n  target: from-file\n  production: false\n`);
    const r = plan('--params-file', path.join(work, 'p.yaml'), '-p', 'target=from-flag');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { params: { target: string } }).params.target, 'from-flag');
  });

  it('refuses a file written for another procedure with exit code 2, naming both', () => {
    fs.writeFileSync(path.join(work, 'p.json'), JSON.stringify({ procedure: 'dataminer.downgrade', params: { dir: work } }));
    const r = plan('--params-file', path.join(work, 'p.json'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is for procedure dataminer\.downgrade, not test-sequence/);
  });

  it('refuses a missing or malformed file with exit code 2, naming it and the expected shape', () => {
    const missing = plan('--params-file', path.join(work, 'nope.json'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: cannot be read \(ENOENT\)/);
    fs.writeFileSync(path.join(work, 'bad.json'), '{"params": {"dir": ["a"]}}');
    const bad = plan('--params-file', path.join(work, 'bad.json'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /parameter "dir" must be text, a number or true\/false, not a list/);
  });

  it('parses only "procedure" and "params"', () => {
    assert.throws(() => parseParamsFile('{"params": {}, "secrets": {}}', 'x.json'), /unknown key\(s\) secrets/);
    assert.deepEqual(parseParamsFile('params:\n  n: 3\n  b: true\n', 'x.yaml'), { params: { n: '3', b: 'true' } });
  });
});
