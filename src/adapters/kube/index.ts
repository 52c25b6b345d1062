// The Kubernetes adapter's public surface. Bundled on its own (dist/kube.js) and loaded on first use, so that
// activation never pays for loading client-node.
export * from './kubeconfig';
export * from './errors';
export * from './resources';
export * from './types';
export { KubeTransport } from './transport';
export type { TransportOptions, KubeRequest, CallDescription } from './transport';
export { KubeClient } from './client';
export type { CallOptions, ListOptions, PatchStrategy, CreateOutcome, CreateOrAdoptOptions, DeleteOptions, WaitGoneOptions, LogOptions, EventFilter } from './client';
export type { WatchOptions } from './watch';
export { podState } from './pod-state';
export type { PodState, PodHealth, ContainerProblem } from './pod-state';
export { kubeClientFor, KubeClientPool } from './connect';
export type { KubeClientOptions } from './connect';
export { proxyFromEnvironment } from './proxy-env';
export { findVolumeUsers, volumeUsers } from './volume-users';
export type { VolumeUser } from './volume-users';
export { KubeExecutor } from './executor';
export type { KubeExecutorOptions } from './executor';
export { resolveResourceType } from './discovery';
export { rolloutReport, podStateWord } from './rollout-status';
export type { RolloutReport, InitFailure } from './rollout-status';
export { ondatPresence } from './ondat-presence';
export type { OndatPresence } from './ondat-presence';
