// Loads the heavy adapters on first use. The build keeps these dynamic imports as requires of dist/kube.js and
// dist/ssh.js, so that activating the extension (or starting the CLI) parses neither client-node (0.2–0.4 s) nor
// ssh2 until a step needs them.
export type KubeAdapter = typeof import('./kube/index');
export type SshAdapter = typeof import('./ssh/index');

let kube: Promise<KubeAdapter> | undefined;
let ssh: Promise<SshAdapter> | undefined;

export function loadKube(): Promise<KubeAdapter> {
  kube ??= import('./kube/index');
  return kube;
}

export function loadSsh(): Promise<SshAdapter> {
  ssh ??= import('./ssh/index');
  return ssh;
}
