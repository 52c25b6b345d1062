// Runs a kubeconfig's exec credential plugin the way kubectl does, but without ever blocking: asynchronously, with
// a time bound (the plugin is killed after it), KUBERNETES_EXEC_INFO set, the credential cached until it expires
// (for the life of the client when it has no expiry, as kubectl does), and one run shared by concurrent requests.
// client-node's own exec support re-runs the plugin for every request when the credential has no expiry and cannot
// stop a plugin that hangs.
import { spawn } from 'child_process';
import { formatDuration } from '../../core/abort';
import { KubeExecPluginError, KubeTarget } from './errors';
import { childEnv } from '../../core/secret-env';

export interface ExecConfig {
  command: string;
  args?: string[] | null;
  env?: Array<{ name: string; value: string }> | null;
  apiVersion?: string;
  installHint?: string;
}

export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

/** Refresh this long before the stated expiry, so that a request never goes out with a token about to expire. */
const EXPIRY_SKEW_MS = 10_000;

export class ExecCredentialSource {
  private cached: ExecCredential | undefined;
  private running: Promise<ExecCredential> | undefined;
  /** How many times the plugin ran (for diagnostics and tests). */
  runs = 0;

  constructor(
    readonly exec: ExecConfig,
    private readonly target: KubeTarget,
    private readonly timeoutMs: number,
  ) {}

  /** Forgets the cached credential, e.g. after the server answered 401. */
  invalidate(): void {
    this.cached = undefined;
  }

  async get(): Promise<ExecCredential> {
    if (this.cached && !this.expired(this.cached)) return this.cached;
    this.running ??= this.run().finally(() => (this.running = undefined));
    this.cached = await this.running;
    return this.cached;
  }

  private expired(c: ExecCredential): boolean {
    if (!c.expirationTimestamp) return false;
    const at = Date.parse(c.expirationTimestamp);
    return Number.isNaN(at) || at - EXPIRY_SKEW_MS <= Date.now();
  }

  private fail(problem: string): KubeExecPluginError {
    return new KubeExecPluginError(this.target, this.exec.command, problem, this.exec.installHint);
  }

  private run(): Promise<ExecCredential> {
    this.runs++;
    const apiVersion = this.exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1';
    const env: NodeJS.ProcessEnv = childEnv(process.env);
    for (const e of this.exec.env ?? []) env[e.name] = e.value;
    // Backout runs plugins without a terminal: a plugin that needs one must fail, not wait for input.
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
    return new Promise((resolve, reject) => {
      // Its own process group on POSIX, so that a timeout stops the plugin and whatever it started (a shell script's
      // children would otherwise keep the output pipes open).
      const group = process.platform !== 'win32';
      const child = spawn(this.exec.command, this.exec.args ?? [], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: group });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (group && child.pid) process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          // Already gone.
        }
        reject(this.fail(`did not answer within ${formatDuration(this.timeoutMs)} and was stopped`));
      }, this.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(this.fail(err.code === 'ENOENT' ? 'was not found' : err.code === 'EACCES' ? 'is not executable' : `could not start: ${err.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) return;
        if (code !== 0) return reject(this.fail(`failed with exit code ${code}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`));
        let parsed: { kind?: string; status?: ExecCredential };
        try {
          parsed = JSON.parse(stdout) as { kind?: string; status?: ExecCredential };
        } catch {
          return reject(this.fail('printed something that is not an ExecCredential (invalid JSON)'));
        }
        const status = parsed.status;
        if (parsed.kind !== 'ExecCredential' || !status || (!status.token && !(status.clientCertificateData && status.clientKeyData))) {
          return reject(this.fail('printed an ExecCredential without a token or client certificate'));
        }
        resolve(status);
      });
    });
  }
}
