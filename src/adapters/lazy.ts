// Loads the heavy adapters on first use. The build keeps these dynamic imports as requires of dist/kube.js and
// dist/ssh.js, so that activating the extension parses neither client-node (0.2–0.4 s) nor ssh2.
export type KubeAdapter = typeof import('./kube/index');

let kube: Promise<KubeAdapter> | undefined;

export function loadKube(): Promise<KubeAdapter> {
  kube ??= import('./kube/index');
  return kube;
}
