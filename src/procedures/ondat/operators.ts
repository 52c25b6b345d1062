// Finding the Ondat operator Deployment under every naming scheme seen in the field: current
// (`storageos-operator` in `storageos`), legacy (`storageos-cluster-operator` in `storageos-operator`), a Helm
// release (`<release>-ondat-operator`), or any Deployment labelled as the operator and running its image.
import type { JsonObject } from '../../core/json';
import type { OperatorFact, OperatorScheme } from './facts';
import { parseImage } from './image';
import { arr, matchesLabels, str, stringMap } from './kube-json';
import { HELM_OPERATOR_SUFFIX, OPERATOR_IMAGE_REPOSITORIES, OPERATOR_LABELS, OPERATOR_NAMINGS } from './names';

function images(d: JsonObject): string[] {
  return arr(d, 'spec', 'template', 'spec', 'containers')
    .map((c) => str(c, 'image'))
    .filter((i): i is string => i !== undefined);
}

function schemeOf(namespace: string, name: string, labels: Record<string, string>, image: string | undefined): OperatorScheme | undefined {
  for (const n of OPERATOR_NAMINGS) if (n.namespace === namespace && n.name === name) return n.scheme;
  const labelled = matchesLabels(labels, { 'control-plane': OPERATOR_LABELS['control-plane'] as string }) || labels['app.kubernetes.io/component'] === 'operator';
  const operatorImage = image !== undefined && OPERATOR_IMAGE_REPOSITORIES.includes(parseImage(image).repository);
  if (name.endsWith(HELM_OPERATOR_SUFFIX) && (labelled || operatorImage)) return 'helm';
  if (labelled && operatorImage) return 'labelled';
  return undefined;
}

export function findOperators(deployments: readonly JsonObject[]): OperatorFact[] {
  const found: OperatorFact[] = [];
  for (const d of deployments) {
    const namespace = str(d, 'metadata', 'namespace') ?? '';
    const name = str(d, 'metadata', 'name') ?? '';
    const labels = stringMap(d, 'metadata', 'labels');
    const annotations = stringMap(d, 'metadata', 'annotations');
    const image = images(d).find((i) => OPERATOR_IMAGE_REPOSITORIES.includes(parseImage(i).repository)) ?? images(d)[0];
    const scheme = schemeOf(namespace, name, labels, image);
    if (!scheme) continue;
    const helmRelease = annotations['meta.helm.sh/release-name'] ?? (labels['app.kubernetes.io/managed-by'] === 'Helm' ? labels['app.kubernetes.io/instance'] : undefined);
    found.push({
      namespace,
      name,
      uid: str(d, 'metadata', 'uid') ?? '',
      scheme: helmRelease !== undefined && scheme === 'labelled' ? 'helm' : scheme,
      ...(image !== undefined ? { image } : {}),
      ...(helmRelease !== undefined ? { helmRelease, helmReleaseNamespace: annotations['meta.helm.sh/release-namespace'] ?? namespace } : {}),
    });
  }
  return found.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}
