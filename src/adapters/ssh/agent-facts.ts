// Read-only facts about one Agent over SSH, for the Targets view and Start Rollback: the core's Agent reader
// (src/core/dataminer/agent-facts.ts, the same the planner reads with) on an SSH pool, with the installed modules and
// the ModuleInstallers folder. Nothing here changes the Agent.
import { readAgentFacts, readDefaultShell, type AgentFacts, type AgentRead } from '../../core/dataminer/agent-facts';
import type { AgentPaths, DefaultShell } from '../../core/dataminer/windows-commands';
import type { LineSink } from '../../core/ports';
import type { AgentEndpoint } from './endpoint';
import { describeEndpoint } from './endpoint';
import type { SshPool } from './pool';

/** An Agent's facts, named as the Targets view shows it. */
export interface NamedAgentFacts extends AgentFacts {
  /** The endpoint as messages name it, e.g. `dma-01 (10.0.0.11:22)`. */
  agent: string;
}

export interface FactOptions {
  paths?: AgentPaths;
  /** Skip detection when the inventory says which DefaultShell the Agent has. */
  shell?: DefaultShell;
  timeoutMs?: number;
  signal?: AbortSignal;
  sink?: LineSink;
}

/** The pool as the Agent reader's port: a failed command is described by its first stderr line. */
export function sshAgentRead(pool: SshPool, endpoint: AgentEndpoint, options: FactOptions = {}, defaultTimeoutMs = 60_000): AgentRead {
  const run = { idempotent: true, timeoutMs: options.timeoutMs ?? defaultTimeoutMs, ...(options.signal ? { signal: options.signal } : {}), ...(options.sink ? { sink: options.sink } : {}) };
  return async (line) => {
    const r = await pool.exec(endpoint, line, run);
    return { exitCode: r.exitCode, stdout: r.stdout, failure: r.stderr.split('\n')[0] ?? '' };
  };
}

export async function detectDefaultShell(pool: SshPool, endpoint: AgentEndpoint, options: FactOptions = {}): Promise<DefaultShell> {
  const { sink: _sink, ...quiet } = options;
  return readDefaultShell(sshAgentRead(pool, endpoint, quiet, 30_000));
}

export async function gatherAgentFacts(pool: SshPool, endpoint: AgentEndpoint, options: FactOptions = {}): Promise<NamedAgentFacts> {
  const facts = await readAgentFacts(sshAgentRead(pool, endpoint, options), { modules: true, ...(options.paths ? { paths: options.paths } : {}), ...(options.shell ? { shell: options.shell } : {}) });
  return { agent: describeEndpoint(endpoint), ...facts };
}
