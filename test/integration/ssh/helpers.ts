// Test doubles for the ports the adapter uses: a Prompter that answers from a script and records every question,
// and a LineSink that keeps lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfirmRequest, LineSink, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../../../src/core/ports';
import type { AgentLab, LabAgent } from '../../../lab/agent/lab';
import type { AgentEndpoint } from '../../../src/adapters/ssh/endpoint';
import { HostKeyVerifier } from '../../../src/adapters/ssh/host-key';
import { SshPool, PoolOptions } from '../../../src/adapters/ssh/pool';
import { registerTeardown } from '../teardown';

export class ScriptedPrompter implements Prompter {
  readonly asked: Array<{ kind: string; title: string; detail?: string }> = [];
  picks: string[] = [];
  secrets: Array<string | undefined> = [];

  async confirm(q: ConfirmRequest): Promise<boolean> {
    this.asked.push({ kind: 'confirm', title: q.title });
    return false;
  }
  async typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    this.asked.push({ kind: 'typeToConfirm', title: q.title });
    return false;
  }
  async askSecret(q: SecretRequest): Promise<string | undefined> {
    this.asked.push({ kind: 'secret', title: q.title, detail: q.prompt });
    return this.secrets.shift();
  }
  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    this.asked.push({ kind: 'pick', title: q.title, ...(q.detail === undefined ? {} : { detail: q.detail }) });
    return this.picks.shift() as T | undefined;
  }
}

export class MemorySink implements LineSink {
  readonly lines: Array<{ stream: string; text: string; at: number }> = [];
  line(stream: 'stdout' | 'stderr' | 'info', text: string): void {
    this.lines.push({ stream, text, at: Date.now() });
  }
  text(stream: string): string[] {
    return this.lines.filter((l) => l.stream === stream).map((l) => l.text);
  }
}

export function endpointOf(lab: AgentLab, agent: LabAgent, extra: Partial<AgentEndpoint> = {}): AgentEndpoint {
  return { name: agent.name, host: agent.host, port: agent.port, user: agent.user, identityFiles: [lab.clientKeyPath], identitiesOnly: true, jumps: [], ...extra };
}

/** known_hosts holding every lab host key, in `dir`. */
export function labKnownHosts(lab: AgentLab, dir: string): string {
  const file = path.join(dir, 'known_hosts');
  fs.writeFileSync(file, lab.knownHostsLines().join('\n') + '\n');
  return file;
}

/** A pool that trusts the lab's keys, with no ssh-agent and no default key files (the real ~/.ssh is never read). */
export function labPool(lab: AgentLab, dir: string, prompter = new ScriptedPrompter(), extra: Partial<PoolOptions> = {}): SshPool {
  const hostKeys = new HostKeyVerifier({ userKnownHostsFiles: [labKnownHosts(lab, dir)], backoutKnownHostsFile: path.join(dir, 'backout_known_hosts'), prompter });
  const pool = new SshPool({ hostKeys, prompter, agent: null, defaultIdentityFiles: [], promptForPassword: false, ...extra });
  registerTeardown(() => pool.close());
  return pool;
}
