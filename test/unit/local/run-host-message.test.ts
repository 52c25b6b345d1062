// What VS Code shows when a run host it started refuses before the run: the whole refusal, not its first line.
import * as assert from 'node:assert/strict';
import { hostMessage, RunHostExitedError } from '../../../src/adapters/local/run-launcher';

describe('a run host that refuses before starting', () => {
  it('keeps every line of the refusal, so the plan changes and the way on reach the person', () => {
    const output = [
      'backout: Not started: the plan made now differs from the plan that was accepted:',
      '  • step "Write the marker file" on lab sends a different command',
      'Review the new plan (backout plan, or Dry Run in VS Code) and start it again.',
      '',
    ].join('\n');
    const err = new RunHostExitedError(7, output);
    assert.match(err.message, /^Not started: the plan made now differs/);
    assert.match(err.message, /• step "Write the marker file" on lab sends a different command/);
    assert.match(err.message, /Review the new plan .* and start it again\.$/);
  });

  it('names the exit code and the output when the host said nothing of its own', () => {
    assert.equal(hostMessage('Segmentation fault\n'), undefined);
    assert.match(new RunHostExitedError(139, 'Segmentation fault\n').message, /ended \(exit 139\) before starting the run: Segmentation fault/);
  });
});
