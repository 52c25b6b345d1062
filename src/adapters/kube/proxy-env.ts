// kubectl (client-go) sends requests through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY excludes the host or the
// cluster has its own proxy-url; node's https does not look at these variables at all. This decides the proxy the
// way Go's net/http/httpproxy does, so that a context behind a corporate proxy works in Backout as in kubectl.
import { isIP } from 'net';

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name] ?? env[name.toLowerCase()];
  return v && v.trim() ? v.trim() : undefined;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(ip) !== 4 || isIP(base) !== 4 || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(base) & mask);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Whether NO_PROXY excludes host:port (entries: "*", domains with or without a leading dot, IPs, CIDRs, host:port). */
export function excludedByNoProxy(host: string, port: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (inCidr(h, entry)) return true;
      continue;
    }
    let entryPort: string | undefined;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && isIP(entry) !== 6) {
      entry = m[1];
      entryPort = m[2];
    }
    if (entryPort && entryPort !== port) continue;
    entry = entry.replace(/^\[|\]$/g, '');
    if (h === entry) return true;
    const domain = entry.startsWith('*.') ? entry.slice(1) : entry.startsWith('.') ? entry : `.${entry}`;
    if (isIP(h) === 0 && h.endsWith(domain)) return true;
  }
  return false;
}

/** The proxy URL kubectl would use for `server` from the environment, or undefined for a direct connection. */
export function proxyFromEnvironment(server: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Go never proxies requests to loopback addresses.
  if (isLoopback(host)) return undefined;
  const https = url.protocol === 'https:';
  const proxy = https ? envValue(env, 'HTTPS_PROXY') : envValue(env, 'HTTP_PROXY');
  if (!proxy) return undefined;
  const port = url.port || (https ? '443' : '80');
  if (excludedByNoProxy(host, port, envValue(env, 'NO_PROXY'))) return undefined;
  // Go accepts "proxy.corp:3128" and means http://proxy.corp:3128.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}
