// Typed errors of the SSH adapter. Each names the Agent (name and address), what happened, and what to do next.
import { BackoutError } from '../../core/errors';
import type { AgentEndpoint } from './endpoint';
import { describeEndpoint } from './endpoint';

export abstract class SshError extends BackoutError {
  constructor(
    readonly agent: string,
    message: string,
  ) {
    super(`Agent ${agent}: ${message}`);
  }
}

export class HostKeyUnknownError extends SshError {
  readonly code = 'ssh-host-key-unknown';
  constructor(
    endpoint: AgentEndpoint | string,
    readonly fingerprint: string,
    readonly keyType: string,
  ) {
    super(
      typeof endpoint === 'string' ? endpoint : describeEndpoint(endpoint),
      `the host key (${keyType} ${fingerprint}) is not known and was not accepted. Compare the fingerprint with the one the server shows ` +
        '(ssh-keygen -lf on the server\'s host key), then connect again and accept it.',
    );
  }
}

export class HostKeyChangedError extends SshError {
  readonly code = 'ssh-host-key-changed';
  constructor(
    endpoint: AgentEndpoint | string,
    readonly expected: readonly string[],
    readonly received: string,
    readonly knownHostsFile: string,
  ) {
    super(
      typeof endpoint === 'string' ? endpoint : describeEndpoint(endpoint),
      `host key changed — expected ${expected.join(' or ')}, got ${received}. Nothing was sent. Someone may be intercepting the ` +
        `connection, or the server was reinstalled. Check the server's key with its administrator, then remove the old entry from ${knownHostsFile}.`,
    );
  }
}

export class HostKeyRevokedError extends SshError {
  readonly code = 'ssh-host-key-revoked';
  constructor(
    endpoint: AgentEndpoint | string,
    readonly received: string,
    readonly knownHostsFile: string,
  ) {
    super(
      typeof endpoint === 'string' ? endpoint : describeEndpoint(endpoint),
      `the server presented a revoked host key (${received}, marked @revoked in ${knownHostsFile}). Nothing was sent. ` +
        'Have the server\'s host key replaced, then accept the new key.',
    );
  }
}

export class AuthenticationFailedError extends SshError {
  readonly code = 'ssh-auth-failed';
  constructor(
    agent: string,
    readonly tried: readonly string[],
  ) {
    super(
      agent,
      `authentication failed (tried: ${tried.length > 0 ? tried.join(', ') : 'nothing available'}). Load the right key into ssh-agent, set ` +
        'IdentityFile for this host in your SSH config, or store the password in Backout\'s secret storage.',
    );
  }
}

/** sshd closed the connection before the SSH handshake: usually MaxStartups throttling too many new connections. */
export class ConnectionThrottledError extends SshError {
  readonly code = 'ssh-throttled';
  constructor(
    agent: string,
    readonly attempts: number,
  ) {
    super(
      agent,
      `the server closed the connection before the SSH handshake ${attempts} time(s). This is sshd's MaxStartups limit on ` +
        'unauthenticated connections (10:30:100 by default, Windows included). Lower the number of Agents contacted at once, or raise MaxStartups on the server.',
    );
  }
}

export class ConnectFailedError extends SshError {
  readonly code = 'ssh-connect-failed';
  constructor(
    agent: string,
    readonly reason: string,
  ) {
    super(agent, `cannot connect: ${reason}. Check that the Agent is up, that OpenSSH Server runs on it, and the host/port in the inventory.`);
  }
}

/** The server refused a new channel: sshd's MaxSessions (10 by default) on one connection. */
export class ChannelRefusedError extends SshError {
  readonly code = 'ssh-channel-refused';
  constructor(
    agent: string,
    readonly reason: string,
  ) {
    super(
      agent,
      `the server refused to open another session channel (${reason}). sshd allows MaxSessions channels per connection (10 by default); ` +
        'Backout keeps below that, so the server\'s limit is lower: set maxChannelsPerConnection accordingly.',
    );
  }
}

export class ConnectionLostError extends SshError {
  readonly code = 'ssh-connection-lost';
  constructor(
    agent: string,
    readonly command: string,
    readonly reason: string,
  ) {
    super(
      agent,
      `the connection was lost while running "${command}" (${reason}). The command may or may not have completed on the Agent: ` +
        'check its effect before running it again.',
    );
  }
}

export class CommandTimeoutError extends SshError {
  readonly code = 'ssh-command-timeout';
  constructor(
    agent: string,
    readonly command: string,
    readonly timeoutMs: number,
    readonly stopped: boolean,
  ) {
    super(
      agent,
      `"${command}" did not finish within ${Math.round(timeoutMs / 1000)} s` +
        (stopped ? ' and was stopped.' : '; it ran without a terminal, so it may still be running on the Agent — check before retrying.'),
    );
  }
}

export class CommandCancelledError extends SshError {
  readonly code = 'ssh-command-cancelled';
  constructor(
    agent: string,
    readonly command: string,
    readonly stopped: boolean,
  ) {
    super(
      agent,
      `"${command}" was cancelled` + (stopped ? ' and stopped on the Agent.' : '; it ran without a terminal, so it may still be running on the Agent.'),
    );
  }
}

export class UploadFailedError extends SshError {
  readonly code = 'ssh-upload-failed';
  constructor(
    agent: string,
    readonly localPath: string,
    readonly remotePath: string,
    readonly reason: string,
  ) {
    super(agent, `uploading ${localPath} to ${remotePath} failed: ${reason}. Check free disk space and permissions on the Agent, then upload again.`);
  }
}

export class SshConfigError extends SshError {
  readonly code = 'ssh-config';
  constructor(
    agent: string,
    readonly file: string,
    readonly problem: string,
  ) {
    super(agent, `SSH config ${file}: ${problem}.`);
  }
}

export class PoolClosedError extends SshError {
  readonly code = 'ssh-pool-closed';
  constructor(agent: string) {
    super(agent, 'the connection pool was closed (the run ended or the extension is shutting down).');
  }
}
