// Ondat's part of the generic UI: the edited downgrade template supplied by the editor (never asked), the
// namespaces of the cluster offered where a namespace is asked, and the Ondat line under each Kubernetes context.
import type { OndatPresence } from '../../adapters/kube/ondat-presence';
import { ondatDowngrade } from '../../procedures/ondat';
import { supplyTemplate, TEMPLATE_PARAMETER } from '../template/resolve-template';
import { namespaceOffer, type OndatClusterSource } from './ondat-choices';
import { ondatPresenceItem } from './ondat-presence-item';
import { targetDetail, type ProcedureUiContribution } from './procedure-ui';

declare module './procedure-ui' {
  interface TargetDetailValues {
    /** Which Ondat runs on a Kubernetes context. */
    ondat: OndatPresence;
  }
}

export function ondatUi(cluster: OndatClusterSource, warn: (message: string) => void): ProcedureUiContribution {
  return {
    procedureId: ondatDowngrade.id,
    offer: namespaceOffer(cluster, warn),
    editorSupplied: { parameters: [TEMPLATE_PARAMETER], supply: supplyTemplate },
    targetDetails: [
      targetDetail({ id: 'ondat', targetKind: 'kube-context', read: (context) => cluster.presence(context), render: ondatPresenceItem }),
    ],
  };
}
