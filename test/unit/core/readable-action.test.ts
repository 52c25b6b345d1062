import * as assert from 'assert';
import { readableAction, renderAction, type SshAction } from '../../../src/core/plan';

function encoded(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

describe('readable actions', () => {
  it('adds the decoded script to a PowerShell -EncodedCommand line, after the exact line sent', () => {
    const action: SshAction = { kind: 'ssh', host: 'dma-01', command: `powershell.exe -NoProfile -EncodedCommand ${encoded("Stop-Service 'SLNet'")}` };
    const text = readableAction(action);
    assert.ok(text.startsWith(renderAction(action)), 'the exact command comes first');
    assert.match(text, /decoded for review:\nStop-Service 'SLNet'$/);
  });

  it('leaves every other command as it is sent', () => {
    const action: SshAction = { kind: 'ssh', host: 'dma-01', command: 'echo %OS%' };
    assert.strictEqual(readableAction(action), 'echo %OS%');
    assert.strictEqual(readableAction({ kind: 'local', argv: ['helm', 'version'] }), renderAction({ kind: 'local', argv: ['helm', 'version'] }));
  });
});
