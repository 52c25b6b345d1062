// Where a run host with nobody at its terminal sends each question (issue 13 §2): a step's questions (gates, the
// choice for a step caught mid-way) to the run folder, where the answer is checked against the step; secrets and
// connection questions (an unknown host key) to the run's socket; typed confirmations always to the folder.
import * as assert from 'node:assert/strict';
import { DetachablePrompter } from '../../../src/cli/detachable-prompter';
import { TerminalPrompter } from '../../../src/cli/terminal-prompter';
import type { ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../../../src/core/ports';

class Recorder implements Prompter {
  readonly asked: string[] = [];
  constructor(
    readonly via: string,
    private readonly secret?: string,
  ) {}
  async confirm(q: ConfirmRequest): Promise<boolean> {
    this.asked.push(`confirm:${q.title}`);
    return true;
  }
  async typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    this.asked.push(`typeToConfirm:${q.title}`);
    return true;
  }
  async askSecret(q: SecretRequest): Promise<string | undefined> {
    this.asked.push(`secret:${q.name ?? q.title}`);
    return this.secret;
  }
  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    this.asked.push(`pick:${q.title}`);
    return q.options[0]?.value;
  }
}

function detached(env: Record<string, string> = {}): { prompter: DetachablePrompter; folder: Recorder; socket: Recorder } {
  const flags = new TerminalPrompter({ env });
  const prompter = new DetachablePrompter(flags, flags, () => false);
  const folder = new Recorder('run folder');
  const socket = new Recorder('socket', 'from-the-socket-0123');
  prompter.detach(folder, socket);
  return { prompter, folder, socket };
}

describe('DetachablePrompter detached with a socket', () => {
  it('sends a step\'s gate and a step\'s choice to the run folder', async () => {
    const { prompter, folder, socket } = detached();
    assert.equal(await prompter.confirm({ title: 'Uninstall', target: 'agent-1', step: 'uninstall', instance: 'agent-1' }), true);
    await prompter.pick({ title: 'Step caught mid-way', options: [{ value: 'rerun', label: 'Run again' }], step: 'uninstall', instance: 'agent-1' });
    assert.deepEqual(folder.asked, ['confirm:Uninstall', 'pick:Step caught mid-way']);
    assert.deepEqual(socket.asked, []);
    assert.equal(prompter.via, 'run folder');
  });

  it('sends a typed confirmation to the run folder even without a step (the typed name is checked there)', async () => {
    const { prompter, folder, socket } = detached();
    await prompter.typeToConfirm({ title: 'Production', target: 'prod', expected: 'prod' });
    assert.deepEqual(folder.asked, ['typeToConfirm:Production']);
    assert.deepEqual(socket.asked, []);
  });

  it('sends a connection\'s question (unknown host key) and a secret to the socket', async () => {
    const { prompter, folder, socket } = detached();
    await prompter.pick({ title: 'Unknown host key', options: [{ value: 'reject', label: 'Reject' }] });
    assert.equal(await prompter.askSecret({ title: 'Password', name: 'ssh-password:a', prompt: 'p' }), 'from-the-socket-0123');
    assert.deepEqual(socket.asked, ['pick:Unknown host key', 'secret:ssh-password:a']);
    assert.deepEqual(folder.asked, []);
    assert.equal(prompter.via, 'socket');
  });

  it('takes a secret given in the environment before asking anyone', async () => {
    const { prompter, socket } = detached({ BACKOUT_SECRET_TOKEN: 'from-the-environment-1' });
    assert.equal(await prompter.askSecret({ title: 'Token', name: 'token', prompt: 'p' }), 'from-the-environment-1');
    assert.deepEqual(socket.asked, []);
  });

  it('lets the flags answer first (--yes confirms a gate without asking)', async () => {
    const flags = new TerminalPrompter({ yes: true });
    const prompter = new DetachablePrompter(flags, flags, () => false);
    const folder = new Recorder('run folder');
    prompter.detach(folder, new Recorder('socket'));
    assert.equal(await prompter.confirm({ title: 'Uninstall', target: 'agent-1', step: 'uninstall', instance: 'agent-1' }), true);
    assert.deepEqual(folder.asked, []);
  });
});
