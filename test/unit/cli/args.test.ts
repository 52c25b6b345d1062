import * as assert from 'node:assert/strict';
import { flag, flagAll, paramPairs, parseArgs, UsageError } from '../../../src/cli/args';

const spec = { param: { value: true, multiple: true, short: 'p' }, json: {}, 'runs-dir': { value: true } };

describe('command-line parsing', () => {
  it('separates positionals from flags', () => {
    const a = parseArgs(['ondat', '--json', '-p', 'a=1', '--param=b=2', '--runs-dir', '/x'], spec);
    assert.deepEqual(a.positionals, ['ondat']);
    assert.deepEqual(flagAll(a, 'param'), ['a=1', 'b=2']);
    assert.equal(flag(a, 'json'), 'true');
    assert.equal(flag(a, 'runs-dir'), '/x');
  });

  it('refuses an unknown option, naming it', () => {
    assert.throws(() => parseArgs(['--colour'], spec), (e: unknown) => e instanceof UsageError && /--colour/.test(e.message));
  });

  it('refuses an option without its value', () => {
    assert.throws(() => parseArgs(['--runs-dir'], spec), /needs a value/);
  });

  it('refuses a single-valued option given twice', () => {
    assert.throws(() => parseArgs(['--runs-dir', 'a', '--runs-dir', 'b'], spec), /more than once/);
  });

  it('treats everything after -- as positionals', () => {
    assert.deepEqual(parseArgs(['--', '--json'], spec).positionals, ['--json']);
  });

  it('splits name=value at the first equals sign', () => {
    assert.deepEqual(paramPairs(['selector=app=web', 'n=1']), { selector: 'app=web', n: '1' });
  });

  it('refuses a parameter without a name or given twice', () => {
    assert.throws(() => paramPairs(['=x']), /name=value/);
    assert.throws(() => paramPairs(['a=1', 'a=2']), /given twice/);
  });
});
