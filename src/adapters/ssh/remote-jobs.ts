// A step's command run on an Agent as a job (see src/procedures/dataminer/job-commands.ts for the wrapper and
// src/core/remote-job.ts for its status file): started by one short channel, then followed by reading its status and
// output over short channels until it records its exit code. Nothing depends on one channel or one connection staying
// open: a dropped connection is reopened and the job followed on, and a later session finds the same job by its id.
import { sleep } from '../../core/abort';
import { randomBytes } from 'node:crypto';
import type { JobIdentity } from '../../core/journal';
import type { JobStatus, LineSink } from '../../core/ports';
import { decideRemoteJob, parseJobStatus, remoteJobFiles, remoteJobId, type RemoteJobRecord, type RemoteProcess } from '../../core/remote-job';
import { detectDefaultShell } from './agent-facts';
import { abandonJob, cleanJob, launchJob, processStartTime, readJob, type AgentShell } from '../../core/remote-job-commands';
import { describeEndpoint, type AgentEndpoint } from './endpoint';
import { ConnectFailedError, ConnectionLostError, ConnectionThrottledError, SshError } from './errors';
import type { SshPool } from './pool';

/** The launcher could not create the job: nothing ran. */
export class JobLaunchError extends SshError {
  readonly code = 'ssh-job-launch';
  constructor(agent: string, jobId: string, why: string) {
    super(agent, `could not start job ${jobId}: ${why}. Nothing ran; check the Agent (C:\\ProgramData\\Backout\\jobs), then resume.`);
  }
}

export interface RemoteJobOptions {
  /** How often a running job's status and output are read (default 500 ms). */
  pollMs?: number;
  /** How long a lost connection is retried while following a job before giving up (default 60 s). */
  reconnectMs?: number;
  /** Every how many polls the job's process is checked to be alive (default 10). */
  livenessEvery?: number;
}

interface Followed {
  record: RemoteJobRecord;
  out: string[];
  err: string[];
}


export class RemoteJobs {
  private readonly shells = new Map<string, Promise<AgentShell>>();
  private readonly pollMs: number;
  private readonly reconnectMs: number;
  private readonly livenessEvery: number;

  constructor(
    private readonly pool: SshPool,
    options: RemoteJobOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.reconnectMs = options.reconnectMs ?? 60_000;
    this.livenessEvery = options.livenessEvery ?? 10;
  }

  /** The identity journaled for a job: the endpoint it runs on and its id there. */
  identity(endpoint: AgentEndpoint, slotKey: string): Extract<JobIdentity, { kind: 'remote' }> {
    return { kind: 'remote', endpoint: `${endpoint.host}:${endpoint.port}`, jobId: remoteJobId(slotKey) };
  }

  /** Starts the job (the caller has journaled its identity) and follows it to its end; resolves with its exit code. */
  async run(endpoint: AgentEndpoint, jobId: string, line: string, sink: LineSink, signal: AbortSignal): Promise<number> {
    const shell = await this.shell(endpoint, signal);
    const agent = describeEndpoint(endpoint);
    const launched = await this.pool.exec(endpoint, launchJob(jobId, line, shell).line, { signal, captureBytes: 64 * 1024, label: `start job ${jobId}`, timeoutMs: 120_000 });
    if (launched.exitCode !== 0) {
      throw new JobLaunchError(agent, jobId, `the launcher exited with ${launched.exitCode}${launched.stderr ? `: ${launched.stderr.split('\n').slice(0, 3).join(' ')}` : ''}`);
    }
    sink.line('info', `started as job ${jobId} on ${agent} (process ${launched.stdout.trim() || '?'}); it keeps running if the connection drops`);
    const end = await this.follow(endpoint, jobId, shell, sink, signal);
    if (end.state === 'exited') return end.exitCode;
    throw new ConnectionLostError(agent, `job ${jobId}`, end.detail);
  }

  /** Where a job stands now; a job that left no status file is claimed so that it can never start later. */
  async inspect(endpoint: AgentEndpoint, jobId: string, signal: AbortSignal): Promise<JobStatus> {
    const shell = await this.shell(endpoint, signal);
    const where = describeEndpoint(endpoint);
    let { record } = await this.read(endpoint, jobId, shell, 0, 0, signal);
    if (!record.exists) {
      const claim = await this.pool.exec(endpoint, abandonJob(jobId, shell).line, { signal, captureBytes: 4096, label: `claim job ${jobId}`, timeoutMs: 60_000 });
      // Refused: the interrupted session's launcher created the file meanwhile; read what it wrote.
      if (claim.exitCode !== 0) record = (await this.read(endpoint, jobId, shell, 0, 0, signal)).record;
      else record = { exists: true, abandoned: true };
    }
    const proc = record.pid !== undefined && record.exitCode === undefined ? await this.process(endpoint, record.pid, shell, signal) : undefined;
    return decideRemoteJob(record, proc, Date.now(), where);
  }

  /** Follows a job found running until it ends (output to the sink); resolves with its final status. */
  async await(endpoint: AgentEndpoint, jobId: string, sink: LineSink | undefined, signal: AbortSignal): Promise<JobStatus> {
    const shell = await this.shell(endpoint, signal);
    return this.follow(endpoint, jobId, shell, sink, signal);
  }

  private shell(endpoint: AgentEndpoint, signal: AbortSignal): Promise<AgentShell> {
    const key = `${endpoint.host}:${endpoint.port}:${endpoint.user}`;
    let known = this.shells.get(key);
    if (known === undefined) {
      known = detectDefaultShell(this.pool, endpoint, { signal });
      this.shells.set(key, known);
      known.catch(() => this.shells.delete(key));
    }
    return known;
  }

  private async follow(endpoint: AgentEndpoint, jobId: string, shell: AgentShell, sink: LineSink | undefined, signal: AbortSignal): Promise<JobStatus> {
    const where = describeEndpoint(endpoint);
    let outSeen = 0;
    let errSeen = 0;
    let lostSince: number | undefined;
    for (let n = 1; ; n++) {
      if (signal.aborted) return { state: 'running', detail: `job ${jobId} on ${where} was left running when the wait was cancelled` };
      let got: Followed;
      try {
        got = await this.read(endpoint, jobId, shell, outSeen, errSeen, signal);
        if (lostSince !== undefined) sink?.line('info', `connection to ${where} is back; job ${jobId} is followed on`);
        lostSince = undefined;
      } catch (err) {
        const transient = err instanceof ConnectionLostError || err instanceof ConnectFailedError || err instanceof ConnectionThrottledError;
        if (!transient || signal.aborted) throw err;
        lostSince ??= Date.now();
        if (Date.now() - lostSince > this.reconnectMs) return { state: 'unknown', detail: `the connection to ${where} stayed lost for ${Math.round(this.reconnectMs / 1000)} s: ${err.message}` };
        if (n % 5 === 1) sink?.line('info', `connection to ${where} lost while following job ${jobId} (${err.message}); the job runs on, reconnecting`);
        await sleep(this.pollMs, signal);
        continue;
      }
      const ended = got.record.exitCode !== undefined;
      // A last line may still be being written: it is passed on when the next read shows it complete, or at the end.
      const outLines = ended ? got.out : got.out.slice(0, -1);
      const errLines = ended ? got.err : got.err.slice(0, -1);
      for (const l of outLines) sink?.line('stdout', l);
      for (const l of errLines) sink?.line('stderr', l);
      outSeen += outLines.length;
      errSeen += errLines.length;
      if (ended) {
        await this.pool.exec(endpoint, cleanJob(jobId, shell).line, { captureBytes: 0, label: `clean job ${jobId}`, timeoutMs: 60_000, idempotent: true }).catch(() => undefined);
        return decideRemoteJob(got.record, undefined, Date.now(), where);
      }
      if (n % this.livenessEvery === 0 || got.record.pid === undefined) {
        const proc = got.record.pid !== undefined ? await this.process(endpoint, got.record.pid, shell, signal).catch(() => undefined) : undefined;
        const status = decideRemoteJob(got.record, proc, Date.now(), where);
        // It may have written its exit code after the read above: read once more before giving up on it.
        if (status.state !== 'running') {
          const again = await this.read(endpoint, jobId, shell, outSeen, errSeen, signal);
          if (again.record.exitCode === undefined) return decideRemoteJob(again.record, proc, Date.now(), where);
          continue;
        }
      }
      await sleep(this.pollMs, signal);
    }
  }

  private async read(endpoint: AgentEndpoint, jobId: string, shell: AgentShell, skipOut: number, skipErr: number, signal: AbortSignal): Promise<Followed> {
    const marker = randomBytes(12).toString('hex');
    const r = await this.pool.exec(endpoint, readJob(jobId, marker, skipOut, skipErr, shell).line, { signal, idempotent: true, label: `read job ${jobId}`, timeoutMs: 60_000 });
    const lines = r.stdout.replace(/\r/g, '').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const first = lines.indexOf(marker);
    const second = lines.indexOf(marker, first + 1);
    if (r.exitCode !== 0 || first < 1 || second < 0) {
      throw new ConnectionLostError(describeEndpoint(endpoint), `read job ${jobId}`, `the status read answered exit code ${r.exitCode} without its markers`);
    }
    const exists = lines[0]?.trim() === 'True';
    const record = parseJobStatus(remoteJobFiles(jobId).status, exists, lines.slice(1, first));
    return { record, out: lines.slice(first + 1, second), err: lines.slice(second + 1) };
  }

  private async process(endpoint: AgentEndpoint, pid: number, shell: AgentShell, signal: AbortSignal): Promise<RemoteProcess | undefined> {
    const r = await this.pool.exec(endpoint, processStartTime(pid, shell).line, { signal, idempotent: true, captureBytes: 4096, label: `look up process ${pid}`, timeoutMs: 60_000 });
    const at = Date.parse(r.stdout.trim());
    return r.exitCode === 0 && !Number.isNaN(at) ? { pid, startedAt: at } : undefined;
  }
}
