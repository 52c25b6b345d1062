// Where and as whom to connect: what an inventory entry or an SSH config alias resolves to.
import { isIP } from 'node:net';

export interface HopEndpoint {
  host: string;
  port: number;
  user: string;
  identityFiles: readonly string[];
  identitiesOnly: boolean;
  /** Narrows the authentication methods tried (all by default); from the inventory's `auth`. */
  methods?: { agent?: boolean; keys?: boolean; password?: boolean };
}

export interface AgentEndpoint extends HopEndpoint {
  /** The Agent's name as the user knows it (inventory name or SSH alias); used in every message. */
  name: string;
  /** Jump hosts to pass through, first hop first (ProxyJump). */
  jumps: readonly HopEndpoint[];
}

/**
 * `[host]:port` as known_hosts writes it (plain `host` for port 22). A name is lowercased first, as OpenSSH does
 * before hashing or matching it (`HostName LOCALHOST` is checked as `localhost`); an IP address is kept as written.
 */
export function knownHostsName(host: string, port: number): string {
  const h = isIP(host) === 0 ? host.toLowerCase() : host;
  return port === 22 ? h : `[${h}]:${port}`;
}

/** "dma-02 (10.0.0.12:22)" */
export function describeEndpoint(e: { name?: string; host: string; port: number }): string {
  const address = e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
  return e.name === undefined || e.name === e.host ? address : `${e.name} (${address})`;
}

/** The pool's key for an endpoint: user, address and the jump chain. */
export function endpointKey(e: AgentEndpoint): string {
  const hop = (h: HopEndpoint): string => `${h.user}@${h.host}:${h.port}`;
  return [...e.jumps.map(hop), hop(e)].join(' > ');
}
