// One measured run of the adapter in a process of its own (as the CLI would run it): load the adapter, read the
// kubeconfig, find the pods using volumes of the provisioner, print the result as JSON. Run by index.ts.
import { kubeClientFor, kubeconfigFiles, loadKubeconfig, volumeUsers } from '../../src/adapters/kube/index';

async function main(): Promise<void> {
  const [kubeconfig, context, provisioner] = process.argv.slice(2);
  const client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: kubeconfig } })), context);
  try {
    const users = await volumeUsers(client, provisioner);
    process.stdout.write(JSON.stringify(users.map((u) => `${u.namespace}/${u.pod}/${u.claim}`).sort()));
  } finally {
    client.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
