// From an inventory Agent to the SSH endpoint to connect to: an sshAlias goes through the user's SSH config (the
// inventory's user/port win, as ssh's command-line options do); `auth` narrows which methods are tried.
import type { AgentEndpoint } from '../ssh/endpoint';
import { resolveHost, SshConfigOptions } from '../ssh/ssh-config';
import type { InventoryAgent, InventoryDms } from './inventory-types';

function expandHome(p: string, home: string | undefined): string {
  return home !== undefined && (p === '~' || p.startsWith('~/')) ? home + p.slice(1) : p;
}

export function agentEndpoint(dms: InventoryDms, agent: InventoryAgent, sshConfig: SshConfigOptions = {}): AgentEndpoint {
  const overrides = { ...(agent.user === undefined ? {} : { user: agent.user }), ...(agent.port === undefined ? {} : { port: agent.port }) };
  const base =
    agent.sshAlias !== undefined
      ? resolveHost(agent.sshAlias, sshConfig, overrides)
      : { name: agent.name, host: agent.host ?? '', port: agent.port ?? 22, user: agent.user ?? '', identityFiles: [], identitiesOnly: false, jumps: [] };
  const auth = agent.auth ?? 'auto';
  const identityFiles = agent.identityFile !== undefined ? [expandHome(agent.identityFile, sshConfig.homeDir)] : base.identityFiles;
  return {
    ...base,
    name: `${dms.name}/${agent.name}`,
    identityFiles,
    identitiesOnly: auth === 'key' ? true : base.identitiesOnly,
    methods: { agent: auth === 'auto' || auth === 'agent', keys: auth === 'auto' || auth === 'key', password: auth === 'auto' || auth === 'password' },
  };
}
