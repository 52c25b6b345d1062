// Paths typed in settings, SSH config and KUBECONFIG: "~" is the user's home, as in a shell; "~name" is not ours.
import * as assert from 'assert';
import * as path from 'path';
import { expandHome } from '../../../src/adapters/local/home-path';

describe('expandHome', () => {
  const home = path.join(path.sep, 'home', 'ops');

  it('expands ~ alone and ~/ or ~\\ at the start', () => {
    assert.strictEqual(expandHome('~', home), home);
    assert.strictEqual(expandHome('~/.backout/inventory.json', home), path.join(home, '.backout', 'inventory.json'));
    assert.strictEqual(expandHome('~\\.ssh\\config', home), path.join(home, '.ssh\\config'));
  });

  it('leaves another user\'s ~name, a ~ inside the path and plain paths alone', () => {
    assert.strictEqual(expandHome('~bob/.ssh/config', home), '~bob/.ssh/config');
    assert.strictEqual(expandHome('/srv/a~/b', home), '/srv/a~/b');
    assert.strictEqual(expandHome('relative/file', home), 'relative/file');
  });
});
