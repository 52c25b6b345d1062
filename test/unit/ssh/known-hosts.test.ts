import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utils } from 'ssh2';
import { HostKeyChangedError, HostKeyUnknownError } from '../../../src/adapters/ssh/errors';
import { knownHostsName } from '../../../src/adapters/ssh/endpoint';
import { HostKeyVerifier } from '../../../src/adapters/ssh/host-key';
import { checkHostKey, fingerprint, formatEntry, hostMatches, parseKnownHosts } from '../../../src/adapters/ssh/known-hosts';
import type { PickRequest, Prompter } from '../../../src/core/ports';

function publicBlob(): Buffer {
  const pair = utils.generateKeyPairSync('ed25519');
  return Buffer.from(pair.public.split(' ')[1] as string, 'base64');
}

const KEY = publicBlob();
const OTHER = publicBlob();
const line = (hosts: string, key: Buffer, marker = ''): string => `${marker}${marker === '' ? '' : ' '}${hosts} ssh-ed25519 ${key.toString('base64')}`;

describe('known_hosts', () => {
  it('matches plain names, [host]:port names, patterns and negations', () => {
    assert.ok(hostMatches('dma-01,10.0.0.11', '10.0.0.11'));
    assert.ok(hostMatches('[10.0.0.11]:2222', '[10.0.0.11]:2222'));
    assert.ok(!hostMatches('10.0.0.11', '[10.0.0.11]:2222'));
    assert.ok(hostMatches('dma-*.example.com', 'dma-07.example.com'));
    assert.ok(hostMatches('dma-0?', 'dma-07'));
    assert.ok(!hostMatches('dma-*,!dma-07', 'dma-07'));
  });

  it('matches a hashed entry only for the name it was made from', () => {
    const [entry] = parseKnownHosts(formatEntry('[10.0.0.11]:2222', KEY, true), 'kh');
    assert.ok(entry !== undefined && entry.hosts.startsWith('|1|'));
    assert.ok(hostMatches(entry.hosts, '[10.0.0.11]:2222'));
    assert.ok(!hostMatches(entry.hosts, '10.0.0.11'));
  });

  it('tells match, unknown, changed and revoked apart', () => {
    const entries = parseKnownHosts([line('a', KEY), line('b', OTHER), line('*', OTHER, '@revoked')].join('\n'), 'kh');
    assert.equal(checkHostKey(entries, 'a', KEY).status, 'match');
    assert.equal(checkHostKey(entries, 'c', KEY).status, 'unknown');
    const changed = checkHostKey(entries, 'b', KEY);
    assert.equal(changed.status, 'changed');
    assert.equal(checkHostKey(entries, 'b', OTHER).status, 'revoked');
  });

  it('skips comments, @cert-authority lines, unknown markers and lines whose key type disagrees with the key', () => {
    const entries = parseKnownHosts(
      ['# c', '', line('*', KEY, '@cert-authority'), line('x', KEY, '@nonsense'), `x ssh-rsa ${KEY.toString('base64')}`, 'only-two fields', line('ok', KEY)].join('\n'),
      'kh',
    );
    assert.deepEqual(entries.map((e) => [e.hosts, e.marker ?? '']), [['*', 'cert-authority'], ['ok', '']]);
    assert.equal(checkHostKey(entries, 'anything', KEY).status, 'unknown', 'a CA line does not vouch for a plain key');
  });

  it('lowercases host names as OpenSSH does before matching and hashing them, but not IP addresses', () => {
    assert.equal(knownHostsName('LOCALHOST', 22), 'localhost');
    assert.equal(knownHostsName('Dma-01.Example.COM', 2222), '[dma-01.example.com]:2222');
    assert.equal(knownHostsName('FE80::1', 2222), '[FE80::1]:2222');
    const [entry] = parseKnownHosts(formatEntry('[localhost]:2222', KEY, true), 'kh');
    assert.ok(entry !== undefined && hostMatches(entry.hosts, knownHostsName('LocalHost', 2222)));
  });

  it('computes OpenSSH-style SHA256 fingerprints', () => {
    assert.match(fingerprint(KEY), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('host key verifier', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-kh-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const prompter = (answer: string | undefined, asked: string[]): Prompter => ({
    confirm: async () => false,
    typeToConfirm: async () => false,
    askSecret: async () => undefined,
    pick: async <T extends string>(q: PickRequest<T>) => {
      asked.push(`${q.title}|${q.detail ?? ''}`);
      return answer as T | undefined;
    },
  });

  it('asks once for parallel connections to the same new host', async () => {
    const asked: string[] = [];
    const v = new HostKeyVerifier({ userKnownHostsFiles: [], backoutKnownHostsFile: path.join(dir, 'a'), prompter: prompter('remember', asked) });
    await Promise.all(Array.from({ length: 5 }, () => v.verify('dma-01 (h:22)', 'h', KEY)));
    assert.equal(asked.length, 1);
    assert.match(asked[0] ?? '', new RegExp(fingerprint(KEY).replace(/[+/]/g, '\\$&')));
  });

  it('says that @cert-authority lines for the host are not used when it asks about an unknown key', async () => {
    const asked: string[] = [];
    const user = path.join(dir, 'ca_known_hosts');
    fs.writeFileSync(user, line('*.example.com', OTHER, '@cert-authority') + '\n');
    const v = new HostKeyVerifier({ userKnownHostsFiles: [user], backoutKnownHostsFile: path.join(dir, 'ca'), prompter: prompter('once', asked) });
    await v.verify('dma-01 (dma-01.example.com:22)', 'dma-01.example.com', KEY);
    assert.match(asked[0] ?? '', /@cert-authority line for this host; Backout does not accept host certificates/);
    await new HostKeyVerifier({ userKnownHostsFiles: [user], backoutKnownHostsFile: path.join(dir, 'ca2'), prompter: prompter('once', asked) }).verify('x', 'other.net', KEY);
    assert.doesNotMatch(asked[1] ?? '', /cert-authority/, 'no note for a host no CA line names');
  });

  it('treats a dismissed question as a refusal', async () => {
    const v = new HostKeyVerifier({ userKnownHostsFiles: [], backoutKnownHostsFile: path.join(dir, 'b'), prompter: prompter(undefined, []) });
    await assert.rejects(v.verify('dma-01 (h:22)', 'h', KEY), HostKeyUnknownError);
  });

  it('reads the user known_hosts without writing to it and reports a change with both fingerprints', async () => {
    const user = path.join(dir, 'user_known_hosts');
    fs.writeFileSync(user, line('h', OTHER) + '\n');
    const v = new HostKeyVerifier({ userKnownHostsFiles: [user], backoutKnownHostsFile: path.join(dir, 'c'), prompter: prompter('remember', []) });
    const err = await v.verify('dma-01 (h:22)', 'h', KEY).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof HostKeyChangedError);
    assert.deepEqual(err.expected, [fingerprint(OTHER)]);
    assert.equal(err.received, fingerprint(KEY));
    assert.equal(fs.readFileSync(user, 'utf8'), line('h', OTHER) + '\n');
    assert.deepEqual(v.preferredKeyTypes('h'), ['ssh-ed25519']);
  });
});
