// The SSH adapter's public surface (bundled as dist/ssh.js and loaded on first use). Nothing outside this folder
// imports ssh2.
export type { AgentEndpoint, HopEndpoint } from './endpoint';
export { describeEndpoint, endpointKey, knownHostsName } from './endpoint';
export * from './errors';
export type { AuthOptions, SecretStore } from './auth';
export { defaultAgent, defaultIdentityFiles, passwordKey } from './auth';
export type { HostKeyOptions } from './host-key';
export { HostKeyVerifier, defaultBackoutKnownHosts, defaultUserKnownHosts } from './host-key';
export { fingerprint, parseKnownHosts, checkHostKey, formatEntry } from './known-hosts';
export type { Connection, ConnectOptions, RetryOptions } from './connect';
export { connect } from './connect';
export type { ExecOptions, ExecResult } from './exec';
export { execOn, signedExitCode } from './exec';
export type { PoolOptions, PoolExecOptions, PoolStats } from './pool';
export { SshPool } from './pool';
export type { UploadOptions } from './upload';
export type { SshConfigOptions } from './ssh-config';
export { loadSshConfig, resolveHost, listHostAliases, parseJumpSpec } from './ssh-config';
export { LineSplitter } from './lines';
export { FileLineSink } from './file-sink';
export type { NamedAgentFacts, FactOptions } from './agent-facts';
export type { AgentFacts } from '../../core/dataminer/agent-facts';
export { gatherAgentFacts, detectDefaultShell } from './agent-facts';
export type { AgentPackage, AgentPackageOptions } from './agent-packages';
export { listAgentPackages, AgentPackagesError } from './agent-packages';
export type { SshExecutorSetup, HostResolver } from './executor';
export { SshExecutor, createSshExecutor } from './executor';
// Inventory operations that talk to Agents live in the store, but load ssh2: they are reached through this bundle.
export { gatherDmsFacts } from '../store/dms-facts';
export type { InventoryDmsFacts } from '../store/dms-facts';
export { agentEndpoint } from '../store/inventory-endpoint';
