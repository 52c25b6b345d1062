// Host key policy, applied during the key exchange, before any credential is sent (ssh2's hostVerifier):
// a key found in the user's or Backout's known_hosts passes; a revoked or changed key stops the connection; an
// unknown key is shown with its SHA256 fingerprint and needs the user's consent, remembered in Backout's own
// known_hosts file unless the user trusts it once.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Prompter } from '../../core/ports';
import { HostKeyChangedError, HostKeyRevokedError, HostKeyUnknownError, SshError } from './errors';
import { appendEntry, checkHostKey, fingerprint, formatEntry, hostMatches, KnownHostEntry, keyTypeOf, knownKeyTypes, readKnownHostsFile } from './known-hosts';

export interface HostKeyOptions {
  /** known_hosts files read but never written (default: the user's ~/.ssh/known_hosts). */
  userKnownHostsFiles?: readonly string[];
  /** Backout's own known_hosts, where accepted keys are remembered (default: ~/.backout/known_hosts). */
  backoutKnownHostsFile?: string;
  prompter: Prompter;
  /** Write new entries hashed (|1|...), as OpenSSH's HashKnownHosts does. Default true. */
  hashNewEntries?: boolean;
}

export function defaultBackoutKnownHosts(): string {
  return path.join(os.homedir(), '.backout', 'known_hosts');
}

export function defaultUserKnownHosts(): string[] {
  return [path.join(os.homedir(), '.ssh', 'known_hosts')];
}

type Decision = 'remember' | 'once' | 'reject';

export class HostKeyVerifier {
  private readonly userFiles: readonly string[];
  private readonly backoutFile: string;
  /** Keys accepted "once" in this session, by known_hosts name. */
  private readonly acceptedOnce = new Map<string, Buffer[]>();
  /** One question per host at a time, so 16 parallel connections to a new host ask once. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly options: HostKeyOptions) {
    this.userFiles = options.userKnownHostsFiles ?? defaultUserKnownHosts();
    this.backoutFile = options.backoutKnownHostsFile ?? defaultBackoutKnownHosts();
  }

  private entries(): KnownHostEntry[] {
    return [...this.userFiles, this.backoutFile].flatMap(readKnownHostsFile);
  }

  /** Host key algorithms to prefer for `name`: the types already known, so a second key type is not mistaken for a change. */
  preferredKeyTypes(name: string): string[] {
    const types = knownKeyTypes(this.entries(), name);
    return types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  }

  /** Resolves when the key may be used; rejects with a typed error otherwise. `agent` names the host in messages. */
  async verify(agent: string, name: string, key: Buffer, signal?: AbortSignal): Promise<void> {
    const previous = this.pending.get(name);
    if (previous !== undefined) await previous.catch(() => undefined);
    const run = this.decide(agent, name, key, signal);
    this.pending.set(name, run);
    try {
      await run;
    } finally {
      if (this.pending.get(name) === run) this.pending.delete(name);
    }
  }

  private async decide(agent: string, name: string, key: Buffer, signal?: AbortSignal): Promise<void> {
    const result = checkHostKey(this.entries(), name, key);
    const fp = fingerprint(key);
    switch (result.status) {
      case 'match':
        return;
      case 'revoked':
        throw new HostKeyRevokedError(agent, fp, result.entry.file);
      case 'changed':
        throw new HostKeyChangedError(
          agent,
          result.expected.map((e) => fingerprint(e.key)),
          fp,
          [...new Set(result.expected.map((e) => `${e.file}:${e.line}`))].join(', '),
        );
      case 'unknown':
        break;
    }
    if ((this.acceptedOnce.get(name) ?? []).some((k) => k.equals(key))) return;
    const authorities = this.entries().filter((e) => e.marker === 'cert-authority' && hostMatches(e.hosts, name));
    // Backout does not do host certificates: a CA line must not look as if it had vouched for (or against) this key.
    const caNote =
      authorities.length === 0
        ? ''
        : ` Note: ${authorities.map((e) => `${e.file}:${e.line}`).join(', ')} ${authorities.length === 1 ? 'is a @cert-authority line' : 'are @cert-authority lines'} for this host; ` +
          'Backout does not accept host certificates, so it did not use them to check this key.';
    const decision: Decision =
      (await this.options.prompter.pick<Decision>({
        title: `Unknown host key for Agent ${agent}`,
        detail:
          `The server presents a ${keyTypeOf(key)} key with fingerprint ${fp}. It is not in your known_hosts files. ` +
          'Compare it with the fingerprint of the server\'s host key before trusting it.' +
          caNote,
        options: [
          { value: 'remember', label: 'Trust and remember', description: `adds it to ${this.backoutFile}` },
          { value: 'once', label: 'Trust this time only' },
          { value: 'reject', label: 'Do not connect' },
        ],
        ...(signal === undefined ? {} : { signal }),
      })) ?? 'reject';
    if (decision === 'reject') throw new HostKeyUnknownError(agent, fp, keyTypeOf(key));
    if (decision === 'remember') appendEntry(this.backoutFile, formatEntry(name, key, this.options.hashNewEntries !== false));
    else this.acceptedOnce.set(name, [...(this.acceptedOnce.get(name) ?? []), key]);
  }
}

export function isHostKeyError(err: unknown): err is SshError {
  return err instanceof HostKeyChangedError || err instanceof HostKeyRevokedError || err instanceof HostKeyUnknownError;
}
