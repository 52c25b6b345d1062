// OpenSSH known_hosts files: plain and hashed (|1|salt|hash) host fields, [host]:port names, patterns with * ? and
// negation, @revoked keys. @cert-authority lines are read but never vouch for a key: Backout does not accept host
// certificates, and says so when it asks about an unknown key of a host such a line names (host-key.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written (patterns, or one hashed name). */
  hosts: string;
  keyType: string;
  key: Buffer;
}

export function fingerprint(key: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The key type named inside an SSH public key blob (first string). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return len > 0 && len < 64 && key.length >= 4 + len ? key.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: OpenSSH ignores the line too
    }
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return;
    const key = Buffer.from(b64, 'base64');
    // The blob names its own type; a line whose type field disagrees is malformed and skipped.
    if (keyTypeOf(key) !== keyType) return;
    entries.push({ file, line: idx + 1, ...(marker === undefined ? {} : { marker }), hosts, keyType, key });
  });
  return entries;
}

export function readKnownHostsFile(file: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(fs.readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Whether an entry's host field names `name` (as produced by knownHostsName). */
export function hostMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (salt === undefined || hash === undefined) return false;
    const digest = crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    const expected = Buffer.from(hash, 'base64');
    return expected.length === digest.length && crypto.timingSafeEqual(expected, digest);
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (globToRegExp(p).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyCheck =
  | { status: 'match'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; expected: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Decides what a presented key means for `name` given all known entries. */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyCheck {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked !== undefined) return { status: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => e.marker === undefined && hostMatches(e.hosts, name));
  const same = forHost.find((e) => e.key.equals(key));
  if (same !== undefined) return { status: 'match', entry: same };
  return forHost.length === 0 ? { status: 'unknown' } : { status: 'changed', expected: forHost };
}

/** Key types known for `name`, to ask the server for those first (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => e.marker === undefined && hostMatches(e.hosts, name)).map((e) => e.keyType))];
}

/** A known_hosts line; hashed (|1|salt|hash) unless `hashed` is false. */
export function formatEntry(name: string, key: Buffer, hashed: boolean): string {
  let host = name;
  if (hashed) {
    const salt = crypto.randomBytes(20);
    host = `|1|${salt.toString('base64')}|${crypto.createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${host} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

/** Appends an entry, creating the file (0600) and its folder (0700). */
export function appendEntry(file: string, line: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const current = fs.readFileSync(file, 'utf8');
    if (current !== '' && !current.endsWith('\n')) prefix = '\n';
  } catch {
    // new file
  }
  fs.appendFileSync(file, prefix + line + '\n', { mode: 0o600 });
}
