import * as assert from 'assert';
import type * as vscode from 'vscode';
import { SavedSecrets } from '../../../src/ui/runs/saved-secrets';

function fakes(): { storage: vscode.SecretStorage; state: vscode.Memento; stored: Map<string, string>; kept: Map<string, unknown> } {
  const stored = new Map<string, string>();
  const kept = new Map<string, unknown>();
  const storage = {
    get: async (k: string) => stored.get(k),
    store: async (k: string, v: string) => void stored.set(k, v),
    delete: async (k: string) => void stored.delete(k),
  } as unknown as vscode.SecretStorage;
  const state = {
    get: <T>(k: string, d: T) => (kept.has(k) ? (kept.get(k) as T) : d),
    update: async (k: string, v: unknown) => void kept.set(k, v),
  } as unknown as vscode.Memento;
  return { storage, state, stored, kept };
}

describe('Saved secrets: remembered only when chosen, forgotten on request or when wrong', () => {
  it('keeps a remembered password under its user@host key and lists its name, never its value', async () => {
    const f = fakes();
    const saved = new SavedSecrets(f.storage, f.state);
    await saved.remember('ssh-password:admin@10.0.0.11:22', 'pw1');
    assert.strictEqual(f.stored.get('ssh-password:admin@10.0.0.11:22'), 'pw1');
    assert.deepStrictEqual(saved.names(), ['ssh-password:admin@10.0.0.11:22']);
    assert.ok(!JSON.stringify([...f.kept.values()]).includes('pw1'), 'the value is not in global state');
  });

  it('hands a saved passphrase out once; asked again in the same session it was wrong and is forgotten', async () => {
    const f = fakes();
    const saved = new SavedSecrets(f.storage, f.state);
    await saved.remember('ssh-passphrase:/home/op/.ssh/id_ed25519', 'old');
    assert.strictEqual(await saved.take('ssh-passphrase:/home/op/.ssh/id_ed25519'), 'old');
    assert.strictEqual(await saved.take('ssh-passphrase:/home/op/.ssh/id_ed25519'), undefined);
    assert.strictEqual(f.stored.size, 0);
    assert.deepStrictEqual(saved.names(), []);
  });

  it('forgets the chosen names only', async () => {
    const f = fakes();
    const saved = new SavedSecrets(f.storage, f.state);
    await saved.remember('a', '1');
    await saved.remember('b', '2');
    await saved.forget(['a']);
    assert.deepStrictEqual([...f.stored.keys()], ['b']);
    assert.deepStrictEqual(saved.names(), ['b']);
  });
});
