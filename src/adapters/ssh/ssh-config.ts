// Resolves host aliases through the user's OpenSSH config with the `ssh-config` parser: Include (globs; relative
// paths from ~/.ssh), Host patterns, HostName (with %h), User, Port, IdentityFile (~, %d, %u, %h, %r), IdentitiesOnly,
// ProxyJump with several hops (each hop resolved through the config in turn). `Match exec` is never evaluated.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expandHome } from '../local/home-path';
import SSHConfig from 'ssh-config';
import type { Line } from 'ssh-config';
import { AgentEndpoint, HopEndpoint } from './endpoint';
import { SshConfigError } from './errors';

export interface SshConfigOptions {
  /** Default ~/.ssh/config. */
  configFile?: string;
  /** Home folder for ~ and relative Include paths (default os.homedir()). */
  homeDir?: string;
  /** Local user name for %u and the default remote user (default os.userInfo().username). */
  localUser?: string;
}

const MAX_INCLUDE_DEPTH = 16;
const MAX_JUMP_DEPTH = 8;

function home(o: SshConfigOptions): string {
  return o.homeDir ?? os.homedir();
}

function expandTilde(p: string, o: SshConfigOptions): string {
  return expandHome(p, home(o));
}

function globFiles(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return fs.existsSync(pattern) ? [pattern] : [];
  const dir = path.dirname(pattern);
  const re = new RegExp('^' + path.basename(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

function values(v: unknown): string[] {
  if (typeof v === 'string') return v.split(/\s+/).filter((x) => x !== '');
  if (Array.isArray(v)) return (v as Array<{ val: string }>).map((x) => x.val);
  return [];
}

/** Parses a config file and splices the files it Includes in place (recursively). */
export function loadSshConfig(options: SshConfigOptions = {}): SSHConfig {
  const file = options.configFile ?? path.join(home(options), '.ssh', 'config');
  const expand = (f: string, depth: number): SSHConfig => {
    if (depth > MAX_INCLUDE_DEPTH) throw new SshConfigError('(config)', f, `Include nested deeper than ${MAX_INCLUDE_DEPTH} levels (a loop?)`);
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && depth === 0) return SSHConfig.parse('');
      throw new SshConfigError('(config)', f, (err as Error).message);
    }
    const parsed = SSHConfig.parse(text);
    const splice = (lines: SSHConfig): void => {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as Line;
        if (line.type !== SSHConfig.DIRECTIVE) continue;
        if ('config' in line && line.config !== undefined) {
          splice(line.config);
          continue;
        }
        if (line.param.toLowerCase() !== 'include') continue;
        const included: Line[] = [];
        for (const pattern of values(line.value)) {
          const abs = path.isAbsolute(expandTilde(pattern, options)) ? expandTilde(pattern, options) : path.join(home(options), '.ssh', pattern);
          for (const inc of globFiles(abs)) included.push(...expand(inc, depth + 1));
        }
        lines.splice(i, 1, ...included);
        i += included.length - 1;
      }
    };
    splice(parsed);
    return parsed;
  };
  return expand(file, 0);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function tokens(text: string, t: { h: string; r: string; u: string; d: string; p: number; n: string }): string {
  return text.replace(/%([%hrudpn])/g, (_, c: string) => (c === '%' ? '%' : c === 'p' ? String(t.p) : (t as unknown as Record<string, string>)[c] ?? ''));
}

/** Parses `[user@]host[:port]` (IPv6 in brackets). */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  let rest = spec.replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest);
  if (m?.[1] !== undefined) {
    host = m[1];
    if (m[2] !== undefined) port = Number(m[2]);
  }
  return { ...(user === undefined ? {} : { user }), host, ...(port === undefined ? {} : { port }) };
}

/**
 * What `ssh <alias>` would connect to. `overrides` (from the inventory) win over the config file, as command-line
 * options do for ssh.
 */
export function resolveHost(alias: string, options: SshConfigOptions = {}, overrides: { user?: string; port?: number } = {}, config = loadSshConfig(options), depth = 0): AgentEndpoint {
  const file = options.configFile ?? path.join(home(options), '.ssh', 'config');
  if (depth > MAX_JUMP_DEPTH) throw new SshConfigError(alias, file, `ProxyJump chain deeper than ${MAX_JUMP_DEPTH} hops (a loop?)`);
  const c = config.compute(alias, { ignoreCase: true, matchExec: false });
  const localUser = options.localUser ?? os.userInfo().username;
  const hostName = tokens(first(c['hostname']) ?? alias, { h: alias, r: '', u: localUser, d: home(options), p: 22, n: alias });
  const user = overrides.user ?? first(c['user']) ?? localUser;
  const port = overrides.port ?? Number(first(c['port']) ?? 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshConfigError(alias, file, `Port ${String(first(c['port']))} is not a port number`);
  if (c['proxycommand'] !== undefined && first(c['proxycommand'])?.toLowerCase() !== 'none') {
    throw new SshConfigError(alias, file, 'ProxyCommand is not supported by Backout; use ProxyJump');
  }
  const t = { h: hostName, r: user, u: localUser, d: home(options), p: port, n: alias };
  const identityFiles = (Array.isArray(c['identityfile']) ? c['identityfile'] : c['identityfile'] === undefined ? [] : [c['identityfile']])
    .filter((f) => f.toLowerCase() !== 'none')
    .map((f) => expandTilde(tokens(f.replace(/^"|"$/g, ''), t), options));
  const identitiesOnly = first(c['identitiesonly'])?.toLowerCase() === 'yes';
  const jumps: HopEndpoint[] = [];
  const proxyJump = first(c['proxyjump']);
  if (proxyJump !== undefined && proxyJump.toLowerCase() !== 'none') {
    for (const spec of proxyJump.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const j = parseJumpSpec(spec);
      const hop = resolveHost(j.host, options, { ...(j.user === undefined ? {} : { user: j.user }), ...(j.port === undefined ? {} : { port: j.port }) }, config, depth + 1);
      jumps.push(...hop.jumps, { host: hop.host, port: hop.port, user: hop.user, identityFiles: hop.identityFiles, identitiesOnly: hop.identitiesOnly });
    }
  }
  return { name: alias, host: hostName, port, user, identityFiles, identitiesOnly, jumps };
}

/** Host names in `Host` lines that are concrete aliases (no wildcard, no negation), in file order. */
export function listHostAliases(options: SshConfigOptions = {}): string[] {
  const config = loadSshConfig(options);
  const out: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    for (const name of values(line.value)) if (!/[*?!]/.test(name) && !out.includes(name)) out.push(name);
  }
  return out;
}
