// Passwords and passphrases the user chose to remember: kept in VS Code's SecretStorage (the OS keychain), keyed by
// what they open (ssh-password:user@host:port, ssh-passphrase:<key file>). SecretStorage cannot list its keys, so the
// names (never the values) are kept in global state for Forget Saved Secrets.
import type * as vscode from 'vscode';

const INDEX = 'backout.savedSecretNames';

export class SavedSecrets {
  /** Names whose saved value was handed out once in this session: asked again, it was wrong. */
  private readonly used = new Set<string>();

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  names(): string[] {
    return this.state.get<string[]>(INDEX, []);
  }

  /** The saved value, once: the second request for the same name means it did not work, so it is forgotten. */
  async take(name: string): Promise<string | undefined> {
    if (this.used.has(name)) {
      this.used.delete(name);
      await this.forget([name]);
      return undefined;
    }
    const value = await this.storage.get(name);
    if (value !== undefined) this.used.add(name);
    return value;
  }

  async remember(name: string, value: string): Promise<void> {
    await this.storage.store(name, value);
    const names = this.names();
    if (!names.includes(name)) await this.state.update(INDEX, [...names, name]);
  }

  async forget(names: readonly string[]): Promise<void> {
    for (const n of names) await this.storage.delete(n);
    await this.state.update(INDEX, this.names().filter((n) => !names.includes(n)));
  }
}
