// The kube lab: a real Kubernetes 1.20.2 control plane on loopback with a fake kubelet, for tests, benchmarks and
// the sandbox. start() cleans up everything it started when any step fails; stop() is safe to call twice.
import { mkdtemp, rm, mkdir } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { randomBytes } from 'crypto';
import { createPki, LabPki } from './pki';
import { ControlPlane } from './control-plane';
import { LAB_CONTEXTS, LabToken, writeExecPlugin, writeLabKubeconfig } from './kubeconfig-file';
import { ensureBinaries } from './binaries';
import { LabApi } from './lab-api';
import { limitedUserRbac } from './rbac';
import { FakeKubelet, KubeletFaults } from './fake-kubelet';
import { stopPid } from './process';
import { FakeProvisioner } from './fake-provisioner';
import { FakeOperator } from './fake-operator';
import { applyOndat, removeOndat } from './fixtures/apply';
import { OndatNaming, OndatVariant } from './fixtures/naming';
import { ONDAT_PROVISIONER } from './fixtures/ondat';
import { applyBulk, BulkOptions } from './fixtures/bulk';
import { AuditWrite, readAuditWrites } from './audit';

export interface KubeLabOptions {
  /** Number of fake nodes (default 3). */
  nodes?: number;
  /** Folder for the lab's data; a fresh temporary folder when omitted. Removed on stop when it was temporary. */
  dir?: string;
  /** Keep the folder after stop (logs for post-mortems). */
  keepDir?: boolean;
  faults?: KubeletFaults;
  /** Off by default: kube-apiserver keeps an audit log of every write (see audit.ts; read it with auditWrites). */
  audit?: boolean;
  /** Off by default: the fake kubelet also re-lists its pods this often (see FakeKubeletOptions.resyncMs). */
  kubeletResyncMs?: number;
  log?: (line: string) => void;
}

export class KubeLab {
  private stopped = false;
  private readonly exitGuard = (): void => {
    // Last resort when the process exits without stop(): never leave an apiserver or etcd behind.
    for (const pid of Object.values(this.pids())) stopPid(pid, 'SIGKILL');
  };
  /** On SIGINT/SIGTERM: stop the lab, then let the signal do what it would have done without us. */
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.removeSignalHandlers();
    void this.stop()
      .catch(() => this.exitGuard())
      .finally(() => process.kill(process.pid, signal));
  };

  private constructor(
    readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly keepDir: boolean,
    readonly pki: LabPki,
    readonly controlPlane: ControlPlane,
    readonly kubeconfig: string,
    readonly api: LabApi,
    readonly kubelet: FakeKubelet,
    private readonly provisioner: FakeProvisioner,
    private readonly operator: FakeOperator,
    readonly execToken: string,
  ) {
    process.once('exit', this.exitGuard);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  private removeSignalHandlers(): void {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }

  static readonly contexts = LAB_CONTEXTS;

  get server(): string {
    return this.controlPlane.server;
  }

  static async start(options: KubeLabOptions = {}): Promise<KubeLab> {
    const log = options.log ?? (() => undefined);
    const started = Date.now();
    const binDir = await ensureBinaries(log);
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'backout-kube-lab-')));
    await mkdir(join(dir, 'pki'), { recursive: true });
    const pki = await createPki(join(dir, 'pki'));
    const execToken = randomBytes(16).toString('hex');
    const tokens: LabToken[] = [{ user: 'backout-exec', token: execToken, groups: ['system:masters'] }];
    const kubeconfig = join(dir, 'kubeconfig');
    const auditLog = options.audit ? join(dir, 'logs', 'audit.jsonl') : undefined;
    const controlPlane = await ControlPlane.allocate({ dir, binDir, pki, tokens, adminKubeconfig: kubeconfig, auditLog });
    let api: LabApi | undefined;
    let kubelet: FakeKubelet | undefined;
    let provisioner: FakeProvisioner | undefined;
    let operator: FakeOperator | undefined;
    try {
      const execPlugin = await writeExecPlugin(dir, execToken);
      await writeLabKubeconfig(kubeconfig, { server: controlPlane.server, pki, execPlugin });
      await controlPlane.startEtcd();
      log(`etcd ready (${Date.now() - started} ms)`);
      await controlPlane.startApiserver();
      log(`kube-apiserver ready at ${controlPlane.server} (${Date.now() - started} ms)`);
      await controlPlane.startControllers();
      api = new LabApi(controlPlane.server, pki);
      await api.createAll(limitedUserRbac());
      const labApi = api;
      // Pods are refused until the ServiceAccount admission finds the default account and its token.
      await labApi.until('the default ServiceAccount with its token', async () => {
        const sa = await labApi.request<{ secrets?: unknown[] }>('GET', '/api/v1/namespaces/default/serviceaccounts/default');
        return (sa.secrets?.length ?? 0) > 0;
      });
      kubelet = new FakeKubelet({ kubeconfig, context: LAB_CONTEXTS.admin, nodes: options.nodes ?? 3, faults: options.faults, resyncMs: options.kubeletResyncMs, log });
      await kubelet.start();
      provisioner = new FakeProvisioner(kubeconfig, LAB_CONTEXTS.admin, [ONDAT_PROVISIONER], log);
      provisioner.start();
      operator = new FakeOperator(api, log);
      operator.start();
      log(`lab ready in ${Date.now() - started} ms`);
      return new KubeLab(dir, ownsDir, options.keepDir ?? false, pki, controlPlane, kubeconfig, api, kubelet, provisioner, operator, execToken);
    } catch (err) {
      await kubelet?.stop().catch(() => undefined);
      await provisioner?.stop().catch(() => undefined);
      await operator?.stop().catch(() => undefined);
      api?.close();
      await controlPlane.stop();
      if (ownsDir && !options.keepDir) await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  pids(): Record<string, number> {
    return this.controlPlane.pids();
  }

  /** The writes `user` made since the lab started, from the audit log; the lab must have been started with audit. */
  auditWrites(user: string): AuditWrite[] {
    const file = this.controlPlane.auditLog;
    if (file === undefined) throw new Error('The kube lab was started without audit: start it with { audit: true }.');
    return readAuditWrites(file, user);
  }

  /** Stops and starts kube-apiserver on the same port (etcd keeps the data): for reconnect tests. */
  async restartApiserver(downMs = 0, log: (line: string) => void = () => undefined): Promise<void> {
    const t0 = Date.now();
    await this.controlPlane.stopApiserver();
    log(`kube-apiserver stopped in ${Date.now() - t0} ms`);
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    const t1 = Date.now();
    await this.controlPlane.startApiserver();
    log(`kube-apiserver ready again in ${Date.now() - t1} ms`);
  }

  /** Installs Ondat 2.7.0 named as `variant` and waits until it runs. */
  applyOndat(variant: OndatVariant, helmRelease?: string): Promise<OndatNaming> {
    return applyOndat(this.api, variant, { nodes: this.kubelet.nodeNames, helmRelease });
  }

  /** Removes an install made by applyOndat (see fixtures/apply.ts for what stays). */
  removeOndat(naming: OndatNaming): Promise<void> {
    return removeOndat(this.api, naming);
  }

  /** Creates bulk pods and claims (see fixtures/bulk.ts); idempotent. */
  applyBulk(options: BulkOptions): Promise<void> {
    return applyBulk(this.api, options);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await Promise.all([this.kubelet.stop(), this.provisioner.stop(), this.operator.stop()]);
    } finally {
      this.api.close();
      await this.controlPlane.stop();
      process.removeListener('exit', this.exitGuard);
      this.removeSignalHandlers();
      if (this.ownsDir && !this.keepDir) await rm(this.dir, { recursive: true, force: true });
    }
  }
}
