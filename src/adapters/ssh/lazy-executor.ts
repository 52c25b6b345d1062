// The SSH executor for hosts that must not load ssh2 before an ssh action runs (the extension's activation, offline
// plans of the CLI): the adapter bundle (dist/ssh.js) is loaded, and the pool created, on the first action.
// Imports nothing at run time but the lazy loader.
import type { SshAction } from '../../core/plan';
import type { ExecutionRequest, ExecutionResult, Executor, JobQuery, JobStatus } from '../../core/ports';
import { loadSsh, type SshAdapter } from '../lazy';
import type { SshExecutor, SshExecutorSetup } from './executor';

export class DeferredSshExecutor implements Executor<SshAction> {
  private inner: Promise<SshExecutor> | undefined;

  /** `setup` receives the loaded adapter, e.g. to map inventory Agents to endpoints. */
  constructor(private readonly setup: (ssh: SshAdapter) => SshExecutorSetup) {}

  async execute(request: ExecutionRequest<SshAction>): Promise<ExecutionResult> {
    this.inner ??= loadSsh().then((ssh) => ssh.createSshExecutor(this.setup(ssh)));
    const inner = await this.inner.catch((err: unknown) => {
      this.inner = undefined;
      throw err;
    });
    return inner.execute(request);
  }

  async identify(action: SshAction): Promise<string> {
    return (await this.executor()).identify(action);
  }

  /** A job of an earlier session, read from its status file on the Agent (resume). */
  async inspectJob(query: JobQuery): Promise<JobStatus> {
    return (await this.executor()).inspectJob(query);
  }

  async awaitJob(query: JobQuery): Promise<JobStatus> {
    return (await this.executor()).awaitJob(query);
  }

  private async executor(): Promise<SshExecutor> {
    this.inner ??= loadSsh().then((ssh) => ssh.createSshExecutor(this.setup(ssh)));
    return this.inner.catch((err: unknown) => {
      this.inner = undefined;
      throw err;
    });
  }

  /** Closes the pool's connections (the next action opens new ones). */
  async close(): Promise<void> {
    const inner = await this.inner?.catch(() => undefined);
    this.inner = undefined;
    await inner?.close();
  }
}
