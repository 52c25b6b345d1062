// The engine's executor for `ssh` actions: resolves the action's host (an inventory name or an SSH config alias) to
// an endpoint, runs the command through the connection pool with the run's AbortSignal, streams every line to the
// step's log as it arrives, and returns the full 32-bit exit code. An action with an upload then sends the file over
// SFTP on the same pool (same host-key check, credentials and connection), logging progress every 10 %. Failures of
// the means (host key, authentication, connection lost, upload) reject with the adapter's typed errors, which name
// the Agent and say what to do.
import * as fs from 'node:fs';
import { renderUpload, type SftpUpload, type SshAction } from '../../core/plan';
import type { ExecutionRequest, ExecutionResult, Executor, JobQuery, JobStatus, LineSink, Prompter } from '../../core/ports';
import type { SecretStore } from './auth';
import { describeEndpoint, type AgentEndpoint } from './endpoint';
import { SshError } from './errors';
import { HostKeyVerifier } from './host-key';
import { SshPool, type PoolOptions } from './pool';
import { RemoteJobs, type RemoteJobOptions } from './remote-jobs';
import { resolveHost, type SshConfigOptions } from './ssh-config';

/** Turns an action's `host` into where and as whom to connect. */
export type HostResolver = (host: string) => AgentEndpoint | Promise<AgentEndpoint>;

export interface SshExecutorOptions {
  pool: SshPool;
  resolve: HostResolver;
  /**
   * A step's action (one the runner gives a job slot) runs on the Agent as a job that survives the channel and leaves
   * a status file (remote-jobs.ts); checks and verifications run directly. False runs every command directly.
   */
  remoteJobs?: boolean | RemoteJobOptions;
}

/** The local file of an upload cannot be read: nothing was sent to the Agent. */
export class UploadSourceError extends SshError {
  readonly code = 'ssh-upload-source';
  constructor(
    agent: string,
    readonly localPath: string,
    readonly reason: string,
  ) {
    super(agent, `the file to upload, ${localPath}, ${reason}; nothing was sent. Check that the file exists and is readable on this machine, then run the step again.`);
  }
}

const MiB = 1024 * 1024;

function size(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * A progress callback that writes a line each time the transfer passes another tenth of the file: packages are
 * several GB and SFTP reports every 32 KiB chunk, which would flood the step log.
 */
function uploadProgress(sink: LineSink, host: string, total: number): (transferred: number) => void {
  let reported = 0;
  return (transferred) => {
    const tenth = total === 0 ? 10 : Math.min(10, Math.floor((transferred * 10) / total));
    if (tenth <= reported) return;
    reported = tenth;
    sink.line('info', `uploaded ${tenth * 10} % to ${host} (${size(transferred)} of ${size(total)})`);
  };
}

export class SshExecutor implements Executor<SshAction> {
  private readonly jobs: RemoteJobs | undefined;

  constructor(private readonly options: SshExecutorOptions) {
    const jobs = options.remoteJobs ?? true;
    this.jobs = jobs === false ? undefined : new RemoteJobs(options.pool, jobs === true ? {} : jobs);
  }

  async execute(request: ExecutionRequest<SshAction>): Promise<ExecutionResult> {
    const { action, signal, output } = request;
    const endpoint = await this.options.resolve(action.host);
    if (action.upload !== undefined && action.command === '') return this.upload(endpoint, action.host, action.upload, request);
    // A PTY command is one the plan wants stoppable with the channel: it stays tied to it. An upload is not a job.
    if (request.job && this.jobs && action.upload === undefined && action.pty !== true) {
      const identity = this.jobs.identity(endpoint, request.job.slot.key);
      // Journaled before the launcher is sent: a session that finds this identity looks for the job by it.
      request.job.started(identity);
      const exitCode = await this.jobs.run(endpoint, identity.jobId, action.command, output, signal);
      return { exitCode };
    }
    const result = await this.options.pool.exec(endpoint, action.command, {
      sink: output,
      signal,
      ...(action.pty === true ? { pty: true } : {}),
      // The runner keeps the log; nothing needs to be held here.
      captureBytes: 0,
      label: `${request.step} on ${action.host}`,
    });
    if (result.exitSignal !== undefined) return { exitCode: result.exitCode, detail: `the remote process was killed by SIG${result.exitSignal}` };
    if (result.exitCode !== 0 || action.upload === undefined) return { exitCode: result.exitCode };
    return this.upload(endpoint, action.host, action.upload, request);
  }

  /** Sends the file; resolves when it is complete on the Agent under its final name. */
  private async upload(endpoint: AgentEndpoint, host: string, upload: SftpUpload, request: ExecutionRequest<SshAction>): Promise<ExecutionResult> {
    const { signal, output } = request;
    let total: number;
    try {
      const stat = fs.statSync(upload.localPath);
      if (!stat.isFile()) throw new UploadSourceError(describeEndpoint(endpoint), upload.localPath, 'is not a file');
      fs.accessSync(upload.localPath, fs.constants.R_OK);
      total = stat.size;
    } catch (err) {
      if (err instanceof UploadSourceError) throw err;
      throw new UploadSourceError(describeEndpoint(endpoint), upload.localPath, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    output.line('info', `${renderUpload(host, upload)} (${size(total)})`);
    const progress = uploadProgress(output, host, total);
    const sent = await this.options.pool.upload(endpoint, upload.localPath, upload.remotePath, { signal, progress });
    // An empty file reports no chunk at all: still say it arrived.
    if (total === 0) progress(0);
    output.line('info', `${upload.remotePath} is complete on ${host} (${size(sent)})`);
    return { exitCode: 0 };
  }

  /** Where a job of an earlier session stands, read from its status file over a new connection. */
  async inspectJob(query: JobQuery): Promise<JobStatus> {
    const found = await this.remoteJob(query);
    if ('status' in found) return found.status;
    return this.jobs!.inspect(found.endpoint, found.jobId, query.signal);
  }

  /** Follows a job found running until it records its exit code. */
  async awaitJob(query: JobQuery): Promise<JobStatus> {
    const found = await this.remoteJob(query);
    if ('status' in found) return found.status;
    return this.jobs!.await(found.endpoint, found.jobId, query.output, query.signal);
  }

  private async remoteJob(query: JobQuery): Promise<{ endpoint: AgentEndpoint; jobId: string } | { status: JobStatus }> {
    if (query.action.kind !== 'ssh') return { status: { state: 'unknown', detail: 'not an ssh action' } };
    if (!this.jobs) return { status: { state: 'unknown', detail: 'remote jobs are turned off: the command ran tied to its channel' } };
    if (query.action.pty === true || query.action.upload !== undefined) return { status: { state: 'unknown', detail: 'it ran tied to its channel (a PTY command or an upload), not as a job' } };
    const endpoint = await this.options.resolve(query.action.host);
    // The id follows from the slot: a session killed between journaling and launching is found the same way.
    const expected = this.jobs.identity(endpoint, query.slot.key);
    const id = query.identity;
    if (id !== undefined && (id.kind !== 'remote' || id.jobId !== expected.jobId)) {
      return { status: { state: 'unknown', detail: `the journal names a job ${id.kind === 'remote' ? `${id.jobId} on ${id.endpoint}` : `pid ${id.pid} on ${id.host}`}, not ${expected.jobId}` } };
    }
    if (id !== undefined && id.endpoint !== expected.endpoint) {
      return { status: { state: 'unknown', detail: `its job ran on ${id.endpoint}, but ${query.action.host} now resolves to ${expected.endpoint}` } };
    }
    return { endpoint, jobId: expected.jobId };
  }

  close(): Promise<void> {
    return this.options.pool.close();
  }

  /** The Agent's resolved address, for the target lock (no connection is made). */
  async identify(action: SshAction): Promise<string> {
    const e = await this.options.resolve(action.host);
    return `ssh ${e.host}:${e.port}`;
  }
}

export interface SshExecutorSetup {
  prompter: Prompter;
  /** OpenSSH client config used to resolve host names (default ~/.ssh/config). */
  sshConfig?: SshConfigOptions;
  /** known_hosts files read but never written (default ~/.ssh/known_hosts). */
  userKnownHostsFiles?: readonly string[];
  /** Backout's own known_hosts (default ~/.backout/known_hosts). */
  backoutKnownHostsFile?: string;
  /** Key files tried when a host has no IdentityFile. */
  identityFiles?: readonly string[];
  /** ssh-agent socket; null disables the agent. */
  agent?: string | null;
  secrets?: SecretStore;
  /** Overrides of the pool's limits and timeouts. */
  pool?: Omit<PoolOptions, 'hostKeys' | 'prompter'>;
  /** Resolves hosts before the SSH config is consulted (e.g. from the DMS inventory); undefined falls through. */
  resolveFirst?: (host: string) => AgentEndpoint | undefined;
  /** See SshExecutorOptions.remoteJobs (default: steps run as jobs). */
  remoteJobs?: boolean | RemoteJobOptions;
}

/** An executor on a new pool with host keys checked against known_hosts and hosts resolved through SSH config. */
export function createSshExecutor(setup: SshExecutorSetup): SshExecutor {
  const hostKeys = new HostKeyVerifier({
    prompter: setup.prompter,
    ...(setup.userKnownHostsFiles !== undefined ? { userKnownHostsFiles: setup.userKnownHostsFiles } : {}),
    ...(setup.backoutKnownHostsFile !== undefined ? { backoutKnownHostsFile: setup.backoutKnownHostsFile } : {}),
  });
  const pool = new SshPool({
    ...setup.pool,
    hostKeys,
    prompter: setup.prompter,
    ...(setup.agent !== undefined ? { agent: setup.agent } : {}),
    ...(setup.secrets !== undefined ? { secrets: setup.secrets } : {}),
    ...(setup.identityFiles !== undefined ? { defaultIdentityFiles: setup.identityFiles } : {}),
  });
  const cache = new Map<string, AgentEndpoint>();
  const resolve: HostResolver = (host) => {
    const known = cache.get(host) ?? setup.resolveFirst?.(host) ?? resolveHost(host, setup.sshConfig ?? {});
    cache.set(host, known);
    return known;
  };
  return new SshExecutor({ pool, resolve, ...(setup.remoteJobs !== undefined ? { remoteJobs: setup.remoteJobs } : {}) });
}

/**
 * Creates the executor (and its pool) on the first ssh action only, so hosts that never reach an Agent (offline
 * plans, kube-only runs) do not load ssh2; `close()` ends its connections so a command line can exit at once.
 */
export class LazySshExecutor implements Executor<SshAction> {
  private inner: SshExecutor | undefined;

  constructor(private readonly setup: () => SshExecutorSetup) {}

  execute(request: ExecutionRequest<SshAction>): Promise<ExecutionResult> {
    this.inner ??= createSshExecutor(this.setup());
    return this.inner.execute(request);
  }

  identify(action: SshAction): Promise<string> {
    this.inner ??= createSshExecutor(this.setup());
    return this.inner.identify(action);
  }

  inspectJob(query: JobQuery): Promise<JobStatus> {
    this.inner ??= createSshExecutor(this.setup());
    return this.inner.inspectJob(query);
  }

  awaitJob(query: JobQuery): Promise<JobStatus> {
    this.inner ??= createSshExecutor(this.setup());
    return this.inner.awaitJob(query);
  }

  async close(): Promise<void> {
    await this.inner?.close();
  }
}
