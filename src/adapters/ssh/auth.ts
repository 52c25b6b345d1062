// Authentication order, per connection (and per jump host):
//   1. ssh-agent — unless IdentitiesOnly is set for the host. The agent is `SSH_AUTH_SOCK` on Linux/macOS; on Windows
//      Backout uses the OpenSSH agent pipe \\.\pipe\openssh-ssh-agent, or Pageant when configured as 'pageant'.
//   2. Key files — the host's IdentityFile entries in SSH config order, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa.
//      An encrypted key's passphrase is asked through the Prompter (up to 3 tries) and kept only in memory.
//   3. Password — from the secret store port (VS Code SecretStorage in the extension), else asked through the
//      Prompter. Never read from settings or files.
// A method the server does not offer is skipped.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utils } from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import type { Prompter } from '../../core/ports';
import type { HopEndpoint } from './endpoint';

/** Where passwords come from: a secret store (never settings or files). */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
}

export interface AuthOptions {
  prompter: Prompter;
  /** ssh-agent socket or pipe, or 'pageant'; undefined = the platform default; null = do not use an agent. */
  agent?: string | null;
  secrets?: SecretStore;
  /** Key files tried when the host has no IdentityFile (default ~/.ssh/id_ed25519, id_ecdsa, id_rsa). */
  defaultIdentityFiles?: readonly string[];
  /** Ask for a password when the store has none. Default true. */
  promptForPassword?: boolean;
}

export function defaultAgent(): string | undefined {
  if (process.platform === 'win32') return '\\\\.\\pipe\\openssh-ssh-agent';
  const sock = process.env['SSH_AUTH_SOCK'];
  return sock === undefined || sock === '' ? undefined : sock;
}

export function defaultIdentityFiles(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(os.homedir(), '.ssh', f));
}

/** The secret store key of a host's password. */
export function passwordKey(hop: HopEndpoint): string {
  return `ssh-password:${hop.user}@${hop.host}:${hop.port}`;
}

/** Passphrases typed in this session, by key file, so a pool's second connection does not ask again. */
const passphrases = new Map<string, string>();

async function loadKey(file: string, agentName: string, prompter: Prompter, signal?: AbortSignal): Promise<ParsedKey | undefined> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const plain = utils.parseKey(data);
  if (!(plain instanceof Error)) return Array.isArray(plain) ? plain[0] : plain;
  if (!/passphrase|encrypted/i.test(plain.message)) return undefined;
  const remembered = passphrases.get(file);
  if (remembered !== undefined) {
    const k = utils.parseKey(data, remembered);
    if (!(k instanceof Error)) return Array.isArray(k) ? k[0] : k;
  }
  for (let attempt = 1; attempt <= 3; attempt++) {
    const passphrase = await prompter.askSecret({
      title: `Passphrase for ${file}`,
      name: `ssh-passphrase:${file}`,
      prompt: attempt === 1 ? `Agent ${agentName}: enter the passphrase of the SSH key ${file}` : `Wrong passphrase for ${file}; try again (${attempt}/3)`,
      ...(signal === undefined ? {} : { signal }),
    });
    if (passphrase === undefined) return undefined;
    const k = utils.parseKey(data, passphrase);
    if (!(k instanceof Error)) {
      passphrases.set(file, passphrase);
      return Array.isArray(k) ? k[0] : k;
    }
  }
  return undefined;
}

/**
 * ssh2's authHandler for one hop. `tried` collects what was attempted (for the error message when all fail).
 */
export function authHandler(
  agentName: string,
  hop: HopEndpoint,
  options: AuthOptions,
  tried: string[],
  signal?: AbortSignal,
  /** Runs a step that may ask a person (passphrase, password) with the connection's handshake clock stopped. */
  whileWaiting: <T>(task: () => Promise<T>) => Promise<T> = (task) => task(),
): AuthHandlerMiddleware {
  const agent = options.agent === null ? undefined : (options.agent ?? defaultAgent());
  const files = hop.identityFiles.length > 0 ? hop.identityFiles : (options.defaultIdentityFiles ?? defaultIdentityFiles());
  type Step = () => Promise<AnyAuthMethod | undefined>;
  const steps: Array<{ method: string; run: Step }> = [];
  const methods = { agent: true, keys: true, password: true, ...(hop.methods ?? {}) };
  if (agent !== undefined && !hop.identitiesOnly && methods.agent) {
    steps.push({ method: 'publickey', run: async () => (tried.push(`ssh-agent (${agent})`), { type: 'agent', username: hop.user, agent }) });
  }
  for (const file of methods.keys ? files : []) {
    steps.push({
      method: 'publickey',
      run: async () => {
        const key = await loadKey(file, agentName, options.prompter, signal);
        if (key === undefined) return undefined;
        tried.push(`key ${file}`);
        return { type: 'publickey', username: hop.user, key };
      },
    });
  }
  if (methods.password) {
    steps.push({
      method: 'password',
      run: async () => {
        let password = await options.secrets?.get(passwordKey(hop));
        if (password === undefined && options.promptForPassword !== false) {
          password = await options.prompter.askSecret({
            title: `Password for ${hop.user}@${hop.host}`,
            name: passwordKey(hop),
            prompt: `Agent ${agentName}: password of ${hop.user} on ${hop.host}:${hop.port}`,
            ...(signal === undefined ? {} : { signal }),
          });
        }
        if (password === undefined) return undefined;
        tried.push('password');
        return { type: 'password', username: hop.user, password };
      },
    });
  }
  let index = 0;
  return (methodsLeft, _partial, next) => {
    // ssh2 takes `false` as "no more methods"; its type declarations omit that.
    const stop = false as unknown as AuthenticationType;
    const advance = async (): Promise<void> => {
      while (index < steps.length) {
        const step = steps[index++] as { method: string; run: Step };
        if (methodsLeft !== null && methodsLeft !== undefined && !(methodsLeft as string[]).includes(step.method)) continue;
        const auth = await whileWaiting(step.run);
        if (auth !== undefined) return next(auth);
      }
      next(stop);
    };
    advance().catch(() => next(stop));
  };
}
