// etcd + kube-apiserver + kube-controller-manager + kube-scheduler on 127.0.0.1, each on a free port, with the lab's
// own PKI and data folders. Started in dependency order and stopped in reverse (apiserver before etcd).
import { join } from 'path';
import { mkdir, writeFile } from 'fs/promises';
import { LabProcess } from './process';
import { freePorts } from './ports';
import { LabPki } from './pki';
import { waitHealthy } from './health';
import { LabToken, tokenFileLine } from './kubeconfig-file';
import { writeAuditPolicy } from './audit';

export interface ControlPlanePorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

export interface ControlPlaneInput {
  dir: string;
  binDir: string;
  pki: LabPki;
  tokens: LabToken[];
  /** Kubeconfig with the admin context, for the controller manager and scheduler. */
  adminKubeconfig: string;
  /** Off by default: when set, kube-apiserver writes an audit log of every write to this file (see audit.ts). */
  auditLog?: string;
}

export class ControlPlane {
  private etcd: LabProcess | undefined;
  private apiserver: LabProcess | undefined;
  private controllerManager: LabProcess | undefined;
  private scheduler: LabProcess | undefined;

  private constructor(
    private readonly input: ControlPlaneInput,
    readonly ports: ControlPlanePorts,
  ) {}

  static async allocate(input: ControlPlaneInput): Promise<ControlPlane> {
    const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler] = await freePorts(5);
    await mkdir(join(input.dir, 'logs'), { recursive: true });
    return new ControlPlane(input, { etcdClient, etcdPeer, apiserver, controllerManager, scheduler });
  }

  get auditLog(): string | undefined {
    return this.input.auditLog;
  }

  get server(): string {
    return `https://127.0.0.1:${this.ports.apiserver}`;
  }

  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of [this.etcd, this.apiserver, this.controllerManager, this.scheduler]) {
      if (p?.running) out[p.name] = p.pid;
    }
    return out;
  }

  private log(name: string): string {
    return join(this.input.dir, 'logs', `${name}.log`);
  }

  async startEtcd(): Promise<void> {
    const { dir } = this.input;
    const { etcdClient, etcdPeer } = this.ports;
    const client = `http://127.0.0.1:${etcdClient}`;
    const peer = `http://127.0.0.1:${etcdPeer}`;
    this.etcd = LabProcess.start('etcd', 'etcd', [
      '--name=lab', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=lab=${peer}`,
      // The lab's data is throw-away; fsync only slows every write down.
      '--unsafe-no-fsync', '--log-level=warn',
    ], this.log('etcd'));
    const etcd = this.etcd;
    await waitHealthy(`${client}/health`, 'etcd', 30_000, () => etcd.running, () => etcd.tail());
  }

  async startApiserver(): Promise<void> {
    const { pki, binDir, dir, tokens } = this.input;
    const tokenFile = join(dir, 'tokens.csv');
    await writeFile(tokenFile, tokens.map(tokenFileLine).join(''), { mode: 0o600 });
    const audit: string[] = [];
    if (this.input.auditLog) {
      // https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend: the policy file and the log path
      // turn the log backend on; the default format is json, one event per line, appended across restarts.
      const policy = join(dir, 'audit-policy.yaml');
      await writeAuditPolicy(policy);
      audit.push(`--audit-policy-file=${policy}`, `--audit-log-path=${this.input.auditLog}`, '--audit-log-format=json', '--audit-log-maxbackup=0');
    }
    this.apiserver = LabProcess.start('kube-apiserver', join(binDir, 'kube-apiserver'), [
      '--bind-address=127.0.0.1', `--advertise-address=127.0.0.1`, `--secure-port=${this.ports.apiserver}`,
      '--insecure-port=0', '--authorization-mode=Node,RBAC', '--allow-privileged=true',
      '--service-cluster-ip-range=10.0.0.0/24', `--etcd-servers=http://127.0.0.1:${this.ports.etcdClient}`,
      `--client-ca-file=${pki.caCert}`, `--tls-cert-file=${pki.serverCert}`, `--tls-private-key-file=${pki.serverKey}`,
      `--service-account-issuer=https://kubernetes.default.svc`, `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`, `--token-auth-file=${tokenFile}`,
      `--kubelet-client-certificate=${pki.adminCert}`, `--kubelet-client-key=${pki.adminKey}`,
      '--enable-priority-and-fairness=false', '--v=1', ...audit,
    ], this.log('kube-apiserver'));
    const apiserver = this.apiserver;
    await waitHealthy(`${this.server}/readyz`, 'kube-apiserver', 90_000, () => apiserver.running, () => apiserver.tail(), {
      ca: pki.caCert,
      cert: pki.adminCert,
      key: pki.adminKey,
    });
  }

  /** kube-apiserver drains open watches on SIGTERM for a long time; tests want a restart, not a drain. */
  async stopApiserver(graceMs = 3_000): Promise<void> {
    await this.apiserver?.stop(graceMs);
  }

  async startControllers(): Promise<void> {
    const { binDir, dir, pki, adminKubeconfig } = this.input;
    await mkdir(join(dir, 'flexvolume'), { recursive: true });
    this.controllerManager = LabProcess.start('kube-controller-manager', join(binDir, 'kube-controller-manager'), [
      `--kubeconfig=${adminKubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${this.ports.controllerManager}`,
      '--port=0', '--leader-elect=false', `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`, '--use-service-account-credentials=true',
      // Otherwise it writes under /usr/libexec.
      `--flex-volume-plugin-dir=${join(dir, 'flexvolume')}`,
      // Finished pods are garbage collected at the same threshold on every lab.
      '--terminated-pod-gc-threshold=1000',
      // A silent node is noticed after 8 s instead of 40 s, so node-failure tests take seconds (kubelet renews at 2 s).
      '--node-monitor-period=1s', '--node-monitor-grace-period=8s', '--kube-api-qps=100', '--kube-api-burst=200', '--v=1',
    ], this.log('kube-controller-manager'));
    this.scheduler = LabProcess.start('kube-scheduler', join(binDir, 'kube-scheduler'), [
      `--kubeconfig=${adminKubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${this.ports.scheduler}`,
      '--port=0', '--leader-elect=false', '--v=1',
    ], this.log('kube-scheduler'));
    const cm = this.controllerManager;
    const sched = this.scheduler;
    // Their secure ports need delegated authentication; plain liveness of the processes is checked by the caller
    // through what they do (the default ServiceAccount appears).
    await new Promise((r) => setTimeout(r, 200));
    if (!cm.running) throw new Error(`kube-controller-manager exited:\n${cm.tail()}`);
    if (!sched.running) throw new Error(`kube-scheduler exited:\n${sched.tail()}`);
  }

  assertRunning(): void {
    for (const p of [this.etcd, this.apiserver, this.controllerManager, this.scheduler]) {
      if (p && !p.running) throw new Error(`${p.name} exited:\n${p.tail()}`);
    }
  }

  /** Stops everything in reverse order: the apiserver before etcd, so it never logs a storm of etcd errors. */
  async stop(): Promise<void> {
    await Promise.all([this.scheduler?.stop(), this.controllerManager?.stop()]);
    await this.stopApiserver();
    await this.etcd?.stop();
  }
}
