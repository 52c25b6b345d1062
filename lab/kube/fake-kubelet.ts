// A fake kubelet: registers N Node objects, keeps their leases fresh, and moves the pods bound to them through the
// states a real kubelet reports (init containers, running, ready; graceful deletion). Without it no pod ever leaves
// Pending and DaemonSet/Deployment/StatefulSet status never changes, because there is no container runtime here.
// Fault knobs reproduce what a downgrade must detect: an init container that fails or crash-loops on one node,
// slow readiness, a node that goes NotReady.
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  V1Pod,
  V1PodCondition,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';

export interface KubeletFaults {
  /** Init containers of pods on `node` (optionally only pods whose name starts with `podNamePrefix`) fail:
   * `error` leaves them terminated with Error, `crashloop` restarts them into CrashLoopBackOff again and again. */
  initFailure?: { node: string; mode: 'error' | 'crashloop'; podNamePrefix?: string };
  /** The image of a main container cannot be pulled on `node` (pods whose name starts with `podNamePrefix`): as the
   * kubelet does (kubernetes.io/docs/concepts/containers/images, "ImagePullBackOff"), the container waits in
   * ErrImagePull then ImagePullBackOff, and Warning events `Failed` ("Failed to pull image …", "Error: ErrImagePull")
   * and `BackOff` name the image on the pod. */
  imagePullFailure?: { node: string; podNamePrefix?: string };
  /** `path` does not exist on `node`: a pod's hostPath volume of that path whose `type` requires it to exist
   * (Directory, File, Socket, CharDevice, BlockDevice) fails its type check, so the kubelet never starts the pod's
   * containers and reports FailedMount events (kubernetes.io/docs/concepts/storage/volumes, "hostPath" types);
   * type "" (no check) and DirectoryOrCreate mount as usual. */
  missingHostPath?: { node: string; path: string };
  /** Containers become ready only after `delayMs` (on `node`, or on every node when omitted). */
  readiness?: { delayMs: number; node?: string };
}

/** `reported`: the kubelet reports the node NotReady (e.g. its runtime is down) and keeps heartbeating;
 * `lost`: the kubelet falls silent (node down, network cut): the node lifecycle controller marks it Unknown after
 * the grace period, taints it and marks its pods not ready. */
export type NodeFailure = 'reported' | 'lost';

export interface FakeKubeletOptions {
  kubeconfig: string;
  context: string;
  nodes: number;
  faults?: KubeletFaults;
  /**
   * Off by default: also re-list the pods this often, as a kubelet's periodic sync does besides its watch, so that a
   * change missed around a kube-apiserver restart is still seen (the crash-torture suite restarts it mid-step).
   */
  resyncMs?: number;
  log?: (line: string) => void;
}

const STEP_MS = 150;
/** The lab's controller manager runs with an 8 s node grace period (control-plane.ts), so renew at a quarter of it,
 * as a kubelet does with its defaults (10 s of 40 s). */
const LEASE_RENEW_MS = 2_000;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function microTime(d = new Date()): string {
  // metav1.MicroTime wants six fractional digits.
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A container status as sent in a JSON merge patch (timestamps as strings, unlike client-node's model). */
type ContainerStatusJson = { name: string } & Record<string, unknown>;

interface PodRun {
  uid: string;
  timers: Set<NodeJS.Timeout>;
  deleting: boolean;
  started: boolean;
  /** The status this kubelet last reported for a pod it brought to Ready: put back when the API server shows the
   * pod not ready behind its back (the node lifecycle controller does that while a node is Unknown), as a real
   * kubelet's status manager does once it talks to the API server again. */
  ready?: () => Record<string, unknown>;
  restoring?: boolean;
}

export class FakeKubelet {
  readonly nodeNames: string[];
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly kc: KubeConfig;
  private readonly runs = new Map<string, PodRun>();
  private readonly notReady = new Map<string, NodeFailure>();
  private faults: KubeletFaults;
  private stopped = false;
  private leaseTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly resyncMs: number | undefined;
  private watchAbort: AbortController | undefined;
  private watchLoop: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(options: FakeKubeletOptions) {
    this.kc = new KubeConfig();
    this.kc.loadFromFile(options.kubeconfig);
    // The lab's own kubeconfig file; the chosen context is set in memory only.
    this.kc.setCurrentContext(options.context);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.coordination = this.kc.makeApiClient(CoordinationV1Api);
    this.nodeNames = Array.from({ length: options.nodes }, (_, i) => `lab-node-${i + 1}`);
    this.faults = options.faults ?? {};
    this.resyncMs = options.resyncMs;
    this.log = options.log ?? (() => undefined);
  }

  setFaults(faults: KubeletFaults): void {
    this.faults = faults;
  }

  /** Makes a node fail as `failure` says, or heal (ready = true); pods on a failed node stop progressing. */
  async setNodeReady(node: string, ready: boolean, failure: NodeFailure = 'reported'): Promise<void> {
    if (ready) this.notReady.delete(node);
    else this.notReady.set(node, failure);
    if (ready || failure === 'reported') await this.postNodeStatus(node);
    if (ready) {
      await this.renewLeases();
      await this.resync();
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.nodeNames.map((n) => this.registerNode(n)));
    this.leaseTimer = setInterval(() => void this.renewLeases(), LEASE_RENEW_MS);
    this.leaseTimer.unref();
    if (this.resyncMs !== undefined) {
      this.resyncTimer = setInterval(() => void this.resync().catch((err: unknown) => this.log(`fake kubelet: resync: ${String(err)}`)), this.resyncMs);
      this.resyncTimer.unref();
    }
    this.watchLoop = this.runWatchLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.watchAbort?.abort();
    for (const run of this.runs.values()) for (const t of run.timers) clearTimeout(t);
    this.runs.clear();
    await this.watchLoop?.catch(() => undefined);
  }

  private nodeIndex(node: string): number {
    return this.nodeNames.indexOf(node) + 1;
  }

  private async registerNode(name: string): Promise<void> {
    const i = this.nodeIndex(name);
    try {
      await this.core.createNode({
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name,
            labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'backout.lab/fake': 'true' },
          },
          spec: { podCIDR: `10.244.${i}.0/24` },
        },
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
    await this.postNodeStatus(name);
    try {
      await this.coordination.createNamespacedLease({
        namespace: 'kube-node-lease',
        body: { metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() as unknown as Date } },
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }

  private async postNodeStatus(name: string): Promise<void> {
    const now = new Date().toISOString();
    const ready = !this.notReady.has(name);
    const condition = (type: string, status: string, reason: string, message: string) => ({
      type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now,
    });
    const capacity = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    await this.core.patchNodeStatus(
      {
        name,
        body: {
          status: {
            capacity,
            allocatable: capacity,
            addresses: [{ type: 'InternalIP', address: `127.0.1.${this.nodeIndex(name)}` }, { type: 'Hostname', address: name }],
            daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
            nodeInfo: {
              machineID: name, systemUUID: name, bootID: name, kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)',
              containerRuntimeVersion: 'containerd://1.6.20', kubeletVersion: 'v1.20.2', kubeProxyVersion: 'v1.20.2',
              operatingSystem: 'linux', architecture: 'amd64',
            },
            conditions: [
              condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
              condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
              condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
              ready
                ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
                : condition('Ready', 'False', 'KubeletNotReady', 'container runtime is down'),
            ],
          },
        },
      },
      mergePatch,
    );
  }

  /** Renews each live node's lease and, like a kubelet, re-posts its status when the API server shows something
   * else than it reports (e.g. Unknown, set by the node lifecycle controller while the API server was away). */
  private async renewLeases(): Promise<void> {
    for (const name of this.nodeNames) {
      if (this.stopped) return;
      if (this.notReady.get(name) === 'lost') continue;
      try {
        await this.coordination.patchNamespacedLease({ name, namespace: 'kube-node-lease', body: { spec: { renewTime: microTime() } } }, mergePatch);
        const node = await this.core.readNode({ name });
        const shown = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
        if (shown !== (this.notReady.has(name) ? 'False' : 'True')) await this.postNodeStatus(name);
      } catch (err) {
        this.log(`fake kubelet: heartbeat of ${name}: ${String(err)}`);
      }
    }
  }

  /** List + watch the pods bound to any node, re-listing after every disconnect (e.g. an apiserver restart). */
  private async runWatchLoop(): Promise<void> {
    for (let round = 0; !this.stopped; round++) {
      try {
        const resourceVersion = await this.resync();
        await new Promise<void>((resolve) => {
          const watch = new Watch(this.kc);
          void watch
            .watch(
              '/api/v1/pods',
              { fieldSelector: 'spec.nodeName!=', resourceVersion, allowWatchBookmarks: true },
              (type: string, pod: V1Pod) => {
                if (type === 'DELETED') this.forget(pod);
                else if (type === 'ADDED' || type === 'MODIFIED') this.observe(pod);
              },
              () => resolve(),
            )
            .then((ctl) => {
              this.watchAbort = ctl;
              if (this.stopped) ctl.abort();
            })
            .catch(() => resolve());
        });
      } catch (err) {
        this.log(`fake kubelet: pod watch: ${String(err)}`);
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** Math.min(round, 3), 2000)));
    }
  }

  private async resync(): Promise<string | undefined> {
    const list = await this.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName!=' });
    for (const pod of list.items) this.observe(pod);
    return list.metadata?.resourceVersion;
  }

  private forget(pod: V1Pod): void {
    const run = this.runs.get(pod.metadata?.uid ?? '');
    if (!run) return;
    for (const t of run.timers) clearTimeout(t);
    this.runs.delete(run.uid);
  }

  private observe(pod: V1Pod): void {
    const node = pod.spec?.nodeName;
    const uid = pod.metadata?.uid;
    if (!node || !uid || !this.nodeNames.includes(node) || this.stopped) return;
    if (this.notReady.has(node)) return;
    let run = this.runs.get(uid);
    if (!run) {
      run = { uid, timers: new Set(), deleting: false, started: false };
      this.runs.set(uid, run);
    }
    if (pod.metadata?.deletionTimestamp) {
      if (!run.deleting) {
        run.deleting = true;
        for (const t of run.timers) clearTimeout(t);
        // Containers stop, then the kubelet removes the pod for good (grace period 0, only this very pod).
        this.later(run, STEP_MS, () =>
          this.untilReachable(uid, () =>
            this.core.deleteNamespacedPod({
              name: pod.metadata?.name ?? '',
              namespace: pod.metadata?.namespace ?? '',
              gracePeriodSeconds: 0,
              body: { gracePeriodSeconds: 0, preconditions: { uid } },
            }),
          ),
        );
      }
      return;
    }
    if (run.ready && !run.restoring && pod.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') {
      run.restoring = true;
      this.patchStatus(pod, run.ready())
        .catch((err: unknown) => this.log(`fake kubelet: restoring the status of ${pod.metadata?.name}: ${String(err)}`))
        .finally(() => (run.restoring = false));
      return;
    }
    if (!run.started && (pod.status?.phase ?? 'Pending') === 'Pending' && !pod.status?.startTime) {
      run.started = true;
      void this.runPod(pod, run);
    } else if (!run.started) {
      // A pod this kubelet already ran before a restart of the lab process: leave its reported status alone.
      run.started = true;
    }
  }

  private later(run: PodRun, ms: number, fn: () => Promise<unknown>): void {
    const t = setTimeout(() => {
      run.timers.delete(t);
      fn().catch((err: unknown) => {
        if ((err as { code?: number }).code !== 404) this.log(`fake kubelet: ${String(err)}`);
      });
    }, ms);
    run.timers.add(t);
  }

  private sleep(run: PodRun, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        run.timers.delete(t);
        resolve(this.runs.get(run.uid) === run && !run.deleting && !this.stopped);
      }, ms);
      run.timers.add(t);
    });
  }

  /**
   * Calls the apiserver for one pod; while the apiserver cannot be reached (restarting, 5xx) it tries again, as the
   * kubelet's status manager does until the apiserver has the pod's status and its final deletion
   * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination: the kubelet reports the
   * containers' states and finishes the graceful deletion). A write lost in an apiserver restart would leave a pod
   * Pending or Terminating for ever, which no cluster does.
   */
  private async untilReachable(uid: string, call: () => Promise<unknown>): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await call();
        return;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        const unreachable = typeof code !== 'number' || code >= 500;
        if (!unreachable || this.stopped || !this.runs.has(uid) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async patchStatus(pod: V1Pod, status: Record<string, unknown>): Promise<void> {
    await this.untilReachable(pod.metadata?.uid ?? '', () =>
      this.core.patchNamespacedPodStatus(
        { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', body: { status } },
        mergePatch,
      ),
    );
  }

  /** Drives one pod from Pending through its init containers to Running and Ready (or into the configured fault). */
  private async runPod(pod: V1Pod, run: PodRun): Promise<void> {
    const node = pod.spec?.nodeName ?? '';
    const now = () => new Date().toISOString();
    const startTime = now();
    const podIP = `10.244.${this.nodeIndex(node)}.${2 + (this.runs.size % 250)}`;
    const inits = pod.spec?.initContainers ?? [];
    const containers = pod.spec?.containers ?? [];
    const cond = (type: string, status: boolean, reason?: string): V1PodCondition =>
      ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now(), ...(reason ? { reason } : {}) }) as unknown as V1PodCondition;
    const base = { hostIP: `127.0.1.${this.nodeIndex(node)}`, podIP, podIPs: [{ ip: podIP }], startTime, qosClass: 'BestEffort' };
    const waiting = (name: string, image: string, reason: string, restartCount = 0, lastState = {}): ContainerStatusJson =>
      ({ name, image, imageID: '', ready: false, restartCount, started: false, state: { waiting: { reason } }, lastState }) as ContainerStatusJson;
    const failure = this.faults.initFailure;
    const fails =
      failure !== undefined && failure.node === node && inits.length > 0 &&
      (!failure.podNamePrefix || (pod.metadata?.name ?? '').startsWith(failure.podNamePrefix));
    const podFailedPhase = pod.spec?.restartPolicy === 'Never' ? 'Failed' : 'Pending';

    try {
      const initStatuses = inits.map((c) => waiting(c.name, c.image ?? '', 'PodInitializing'));
      const mainWaiting = containers.map((c) => waiting(c.name, c.image ?? '', inits.length ? 'PodInitializing' : 'ContainerCreating'));
      await this.patchStatus(pod, {
        ...base,
        phase: 'Pending',
        conditions: [cond('Initialized', inits.length === 0, inits.length ? 'ContainersNotInitialized' : undefined),
          cond('Ready', false, 'ContainersNotReady'), cond('ContainersReady', false, 'ContainersNotReady'), cond('PodScheduled', true)],
        ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
        containerStatuses: mainWaiting,
      });
      const missing = this.faults.missingHostPath;
      const checked = ['Directory', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
      const unmountable = missing && missing.node === node
        ? (pod.spec?.volumes ?? []).find((v) => v.hostPath?.path === missing.path && checked.includes(v.hostPath.type ?? ''))
        : undefined;
      if (unmountable) {
        // The kubelet retries the mount and reports it again; the containers stay waiting.
        const kind = unmountable.hostPath?.type === 'Directory' ? 'a directory' : `a ${(unmountable.hostPath?.type ?? '').toLowerCase()}`;
        for (let attempt = 0; attempt < 3; attempt++) {
          await this.podEvent(pod, node, '', 'FailedMount', `MountVolume.SetUp failed for volume "${unmountable.name}" : hostPath type check failed: ${missing?.path} is not ${kind}`);
          if (!(await this.sleep(run, STEP_MS * 4))) return;
        }
        return;
      }
      for (let i = 0; i < inits.length; i++) {
        if (!(await this.sleep(run, STEP_MS))) return;
        const c = inits[i];
        initStatuses[i] = { ...initStatuses[i], state: { running: { startedAt: now() } } } as ContainerStatusJson;
        await this.patchStatus(pod, { initContainerStatuses: initStatuses });
        if (!(await this.sleep(run, STEP_MS))) return;
        if (fails && i === 0) {
          await this.failInit(pod, run, c.name, c.image ?? '', initStatuses, failure?.mode ?? 'error', podFailedPhase);
          return;
        }
        initStatuses[i] = {
          ...initStatuses[i], ready: true,
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: now() } },
        } as ContainerStatusJson;
        await this.patchStatus(pod, { initContainerStatuses: initStatuses });
      }
      if (!(await this.sleep(run, STEP_MS))) return;
      const pull = this.faults.imagePullFailure;
      if (pull && pull.node === node && (!pull.podNamePrefix || (pod.metadata?.name ?? '').startsWith(pull.podNamePrefix)) && containers[0]) {
        await this.failPull(pod, run, containers[0].name, containers[0].image ?? '', mainWaiting, node);
        return;
      }
      const startedAt = now();
      const runningStatuses = (ready: boolean) =>
        containers.map((c) => ({
          name: c.name, image: c.image ?? '', imageID: `docker-pullable://${c.image ?? ''}`, containerID: `containerd://${run.uid}-${c.name}`,
          ready, started: true, restartCount: 0, state: { running: { startedAt } }, lastState: {},
        }));
      await this.patchStatus(pod, {
        phase: 'Running',
        conditions: [cond('Initialized', true), cond('Ready', false, 'ContainersNotReady'), cond('ContainersReady', false, 'ContainersNotReady'), cond('PodScheduled', true)],
        containerStatuses: runningStatuses(false),
      });
      const readiness = this.faults.readiness;
      const delay = readiness && (!readiness.node || readiness.node === node) ? readiness.delayMs : STEP_MS;
      if (!(await this.sleep(run, delay))) return;
      if (this.notReady.has(node)) return;
      const ready = () => ({
        phase: 'Running',
        conditions: [cond('Initialized', true), cond('Ready', true), cond('ContainersReady', true), cond('PodScheduled', true)],
        containerStatuses: runningStatuses(true),
      });
      await this.patchStatus(pod, ready());
      run.ready = ready;
    } catch (err) {
      if ((err as { code?: number }).code !== 404) this.log(`fake kubelet: pod ${pod.metadata?.name}: ${String(err)}`);
    }
  }

  /** A Warning event on the pod from this node's kubelet, as `kubectl describe pod` shows them. */
  private async podEvent(pod: V1Pod, node: string, container: string, reason: string, message: string): Promise<void> {
    const at = new Date().toISOString();
    await this.core.createNamespacedEvent({
      namespace: pod.metadata?.namespace ?? '',
      body: {
        metadata: { name: `${pod.metadata?.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`, namespace: pod.metadata?.namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid, ...(container ? { fieldPath: `spec.containers{${container}}` } : {}) },
        reason,
        message,
        type: 'Warning',
        source: { component: 'kubelet', host: node },
        firstTimestamp: at as unknown as Date,
        lastTimestamp: at as unknown as Date,
        count: 1,
      },
    });
  }

  /** The kubelet's image pull failure: ErrImagePull, then ImagePullBackOff with back-off, until the pod goes. */
  private async failPull(pod: V1Pod, run: PodRun, name: string, image: string, statuses: ContainerStatusJson[], node: string): Promise<void> {
    const why = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`;
    statuses[0] = { name, image, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ErrImagePull', message: why } }, lastState: {} } as ContainerStatusJson;
    await this.patchStatus(pod, { phase: 'Pending', containerStatuses: statuses });
    await this.podEvent(pod, node, name, 'Failed', `Failed to pull image "${image}": ${why}`);
    await this.podEvent(pod, node, name, 'Failed', 'Error: ErrImagePull');
    if (!(await this.sleep(run, STEP_MS * 2))) return;
    statuses[0] = { ...statuses[0], state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } } as ContainerStatusJson;
    await this.patchStatus(pod, { containerStatuses: statuses });
    await this.podEvent(pod, node, name, 'BackOff', `Back-off pulling image "${image}"`);
  }

  private async failInit(
    pod: V1Pod,
    run: PodRun,
    name: string,
    image: string,
    statuses: ContainerStatusJson[],
    mode: 'error' | 'crashloop',
    failedPhase: string,
  ): Promise<void> {
    const terminated = (restartCount: number) => ({
      exitCode: 1, reason: 'Error', startedAt: new Date(Date.now() - STEP_MS).toISOString(), finishedAt: new Date().toISOString(),
      containerID: `containerd://${run.uid}-${name}-${restartCount}`,
    });
    statuses[0] = { name, image, imageID: '', ready: false, restartCount: 0, state: { terminated: terminated(0) }, lastState: {} } as ContainerStatusJson;
    await this.patchStatus(pod, { phase: mode === 'error' ? failedPhase : 'Pending', initContainerStatuses: statuses });
    if (mode === 'error') return;
    // Crash loop: back-off, restart, fail again; bounded by the pod's life (the run ends when it is deleted).
    for (let restart = 1; restart <= 1000; restart++) {
      if (!(await this.sleep(run, STEP_MS * 2))) return;
      statuses[0] = {
        name, image, imageID: '', ready: false, restartCount: restart,
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${10 * 2 ** Math.min(restart, 4)}s restarting failed container=${name} pod=${pod.metadata?.name}` } },
        lastState: { terminated: terminated(restart - 1) },
      } as ContainerStatusJson;
      await this.patchStatus(pod, { initContainerStatuses: statuses });
      if (!(await this.sleep(run, STEP_MS * 4))) return;
      statuses[0] = { ...statuses[0], state: { terminated: terminated(restart) } } as ContainerStatusJson;
      await this.patchStatus(pod, { initContainerStatuses: statuses });
    }
  }
}
