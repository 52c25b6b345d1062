// The Kubernetes adapter's public surface. Bundled on its own (dist/kube.js) and loaded on first use, so that
// activation never pays for loading client-node.
export * from './kubeconfig';
