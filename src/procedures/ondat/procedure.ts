// Ondat: downgrade 2.7.0 → 2.6.0 on Kubernetes, from Ondat's "Downgrade Ondat from 2.7.0 to 2.6.0".
import type { ParamValues, TargetRef } from '../../core/plan';
import type { Procedure } from '../../core/procedure';
import { discover } from './discovery';
import type { DiscoveryResult } from './facts';
import { PROCEDURE_ID } from './names';
import { ONDAT_PARAMETERS, readParams } from './parameters';
import { buildPlan } from './plan';

export const ondatDowngrade: Procedure<DiscoveryResult> = {
  id: PROCEDURE_ID,
  title: 'Ondat: downgrade 2.7.0 → 2.6.0',
  version: '1.0.0',
  description:
    'Uninstalls Ondat 2.7.x (StorageOSCluster, operator; etcd left alone and checked), downgrades each node\'s database with the ' +
    'editable downgrade DaemonSet, installs 2.6.0 pinned, verifies it, and scales workloads back.',
  parameters: ONDAT_PARAMETERS,
  targetParameter: { name: 'context', kind: 'kube-context' },
  target(params: ParamValues): TargetRef {
    const context = String(params.context ?? '');
    return { kind: 'kube-context', name: context, production: false, description: `Kubernetes context ${context}` };
  },
  gatherFacts: discover,
  plan(params, facts) {
    return buildPlan(readParams(params), facts);
  },
};
