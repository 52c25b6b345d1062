// Step 3 of the vendor procedure, "Install Ondat v2.6.0", by the method the user picked, always pinned.
import type { Step } from '../../core/plan';
import { checkInstallManifests } from './install-manifests';
import { createOrAdoptAction } from './kube-operations';
import { HELM_CHART, HELM_REPO_NAME, HELM_REPO_URL } from './names';
import type { OndatParams } from './parameters';
import { OndatParameterError } from './errors';

const SOURCE = 'Step 3 - Install Ondat v2.6.0: "You will now be able to use Ondat v2.6.0."';
const MINUTE = 60_000;

export interface InstallInputs {
  params: OndatParams;
  /** etcd endpoints for the new install: the parameter, else what the 2.7 cluster used. */
  etcdEndpoints?: string;
  helmRelease: string;
  helmNamespace: string;
}

function requireEndpoints(i: InstallInputs): string {
  if (i.etcdEndpoints) return i.etcdEndpoints;
  throw new OndatParameterError('etcdEndpoints', 'is needed to install 2.6.0 against the same etcd, and discovery found none; give the endpoints, e.g. storageos-etcd.storageos-etcd:2379');
}

/** The steps that install 2.6.0; the version is always explicit. */
export function installSteps(i: InstallInputs): Step[] {
  const { params } = i;
  const version = `v${params.version}`;
  switch (params.installMethod) {
    case 'kubectl-storageos':
      return [
        {
          id: 'install-ondat-2-6-0',
          title: `Install Ondat ${version} with kubectl storageos (pinned with --stos-version)`,
          source: `${SOURCE} Domain notes: kubectl storageos install --stos-version v2.6.0 (omitting the version installs the latest).`,
          kind: 'local',
          destructive: true,
          idempotent: false,
          timeoutMs: 20 * MINUTE,
          instances: [
            {
              instance: params.context,
              action: {
                kind: 'local',
                argv: [
                  'kubectl',
                  'storageos',
                  'install',
                  '--stos-version',
                  version,
                  '--etcd-endpoints',
                  requireEndpoints(i),
                  '--admin-username',
                  params.adminUsername,
                  '--admin-password',
                  '${secret:adminPassword}',
                ],
              },
            },
          ],
        },
      ];
    case 'helm':
      return [
        {
          id: 'helm-repo',
          title: `Make the Helm repository ${HELM_REPO_NAME} (${HELM_REPO_URL}) available`,
          source: `${SOURCE} Helm chart ${HELM_CHART} ${params.chartVersion} has appVersion v2.6.0.`,
          kind: 'local',
          destructive: false,
          idempotent: true,
          timeoutMs: 5 * MINUTE,
          instances: [{ instance: 'local', action: { kind: 'local', argv: ['helm', 'repo', 'add', HELM_REPO_NAME, HELM_REPO_URL, '--force-update'] } }],
        },
        {
          id: 'install-ondat-2-6-0',
          title: `Install Ondat ${version} with Helm chart ${HELM_CHART} ${params.chartVersion} (release ${i.helmRelease} in ${i.helmNamespace})`,
          source: `${SOURCE} Helm chart ${HELM_CHART} ${params.chartVersion} (appVersion v2.6.0), pinned with --version.`,
          kind: 'local',
          destructive: true,
          idempotent: true,
          timeoutMs: 20 * MINUTE,
          instances: [
            {
              instance: params.context,
              action: {
                kind: 'local',
                argv: [
                  'helm',
                  'upgrade',
                  '--install',
                  i.helmRelease,
                  HELM_CHART,
                  '--version',
                  params.chartVersion,
                  '--namespace',
                  i.helmNamespace,
                  '--create-namespace',
                  '--kube-context',
                  params.context,
                  '--set-string',
                  `cluster.kvBackend.address=${requireEndpoints(i)}`,
                  '--set-string',
                  `cluster.admin.username=${params.adminUsername}`,
                  '--set-string',
                  'cluster.admin.password=${secret:adminPassword}',
                  '--wait',
                  '--timeout',
                  '15m',
                ],
              },
            },
          ],
        },
      ];
    case 'manifests': {
      if (!params.manifests) throw new OndatParameterError('manifests', 'is required with installMethod=manifests: give the full text of the Ondat v2.6.0 manifests');
      const check = checkInstallManifests(params.manifests);
      if (check.problems.length > 0) throw new OndatParameterError('manifests', `cannot be installed as given: ${check.problems.join('; ')}`);
      return [
        {
          id: 'install-ondat-2-6-0',
          title: `Install Ondat ${version} from the manifests provided (${check.objects.length} objects)`,
          source: `${SOURCE} Manifests provided by the user, applied through the API; every Ondat image pinned to ${version}.`,
          kind: 'kube',
          destructive: true,
          idempotent: true,
          timeoutMs: 10 * MINUTE,
          concurrency: 1,
          instances: check.objects.map((o) => ({
            instance: `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`,
            action: createOrAdoptAction(params.context, o.text, { apiVersion: o.apiVersion, kind: o.kind }, o.namespace, o.name, { replaceTimeoutSeconds: 120 }),
          })),
        },
      ];
    }
  }
}

/** The local tool a method needs, and how to check it is there. */
export function toolCheckArgv(method: OndatParams['installMethod']): { tool: 'helm' | 'kubectl-storageos'; argv: string[] } | undefined {
  if (method === 'helm') return { tool: 'helm', argv: ['helm', 'version', '--short'] };
  if (method === 'kubectl-storageos') return { tool: 'kubectl-storageos', argv: ['kubectl', 'storageos', 'version'] };
  return undefined;
}
