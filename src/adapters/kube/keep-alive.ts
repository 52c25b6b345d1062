// client-node 1.4.0 builds a new https.Agent for every request (KubeConfig.createAgent, called from
// applySecurityAuthentication/applyToHTTPSOptions), so every request pays a TCP and TLS handshake. This gives a
// KubeConfig a cache of keep-alive agents keyed by the TLS material and proxy, so all requests of one context share
// one pool of connections, while client-node keeps choosing the agent type (https, http, HTTP(S) or SOCKS proxy).
import { createHash } from 'crypto';
import type { Agent } from 'http';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

type AgentOptions = Record<string, unknown>;
type CreateAgent = (cluster: Cluster | null, options: AgentOptions) => Agent;

/** The part of KubeConfig this relies on; createAgent is declared private in client-node's typings. */
interface WithCreateAgent {
  createAgent: CreateAgent;
}

export interface KeepAliveAgents {
  /** How many distinct agents were created (1 per context unless its credentials change). */
  readonly created: number;
  destroy(): void;
}

function fingerprint(cluster: Cluster | null, options: AgentOptions): string {
  const h = createHash('sha256');
  h.update(`${cluster?.server ?? ''}\0${cluster?.proxyUrl ?? ''}\0`);
  for (const key of Object.keys(options).sort()) {
    const value = options[key];
    if (value === undefined) continue;
    h.update(`${key}=`);
    if (Buffer.isBuffer(value) || typeof value === 'string') h.update(value);
    else h.update(JSON.stringify(value) ?? '');
    h.update('\0');
  }
  return h.digest('hex');
}

/** Makes `kc` hand out cached keep-alive agents. Call once per KubeConfig; destroy() closes their sockets. */
export function useKeepAliveAgents(kc: KubeConfig, maxSockets = 8): KeepAliveAgents {
  const target = kc as unknown as WithCreateAgent;
  if (typeof target.createAgent !== 'function') {
    throw new Error('@kubernetes/client-node no longer has KubeConfig.createAgent; update keep-alive.ts');
  }
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    const key = fingerprint(cluster, options);
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, { ...options, keepAlive: true, keepAliveMsecs: 30_000, maxSockets, scheduling: 'lifo' });
      agents.set(key, agent);
    }
    return agent;
  };
  return {
    get created() {
      return agents.size;
    },
    destroy() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}
