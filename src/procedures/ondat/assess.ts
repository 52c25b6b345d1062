// The decisions on discovered facts: does Ondat 2.7.x run here (and nothing else), what blocks the downgrade, and
// what deserves a warning. Pure; the planner refuses with every reason at once.
import type { PlanBlocker } from '../../core/plan';
import type { NodePodFact, OndatFacts, StorageOSClusterFact } from './facts';
import { ondatVersionOfImage } from './image';
import type { OndatParams } from './parameters';
import { describeWorkload } from './workloads';

export interface VersionEvidence {
  source: string;
  image: string;
  version?: string;
}

export interface Assessment {
  refusals: string[];
  /** Refusals a parameter or an action resolves; the plan can still be drawn and is shown with them (dry runs). */
  blockers?: PlanBlocker[];
  warnings: string[];
  cluster?: StorageOSClusterFact;
  /** The running version, when every source agrees. */
  version?: string;
  evidence: VersionEvidence[];
}

function podEvidence(p: NodePodFact): VersionEvidence {
  const version = ondatVersionOfImage(p.image);
  return { source: `node pod ${p.namespace}/${p.name}${p.node ? ` on ${p.node}` : ''}`, image: p.image, ...(version ? { version } : {}) };
}

/** Every place that says which Ondat version runs: the node pods, the node DaemonSet, the CR's pinned image. */
export function versionEvidence(facts: OndatFacts, cluster: StorageOSClusterFact): VersionEvidence[] {
  const out: VersionEvidence[] = [];
  if (cluster.specNodeImage) {
    const version = ondatVersionOfImage(cluster.specNodeImage);
    out.push({ source: `StorageOSCluster ${cluster.namespace}/${cluster.name} spec.images.nodeContainer`, image: cluster.specNodeImage, ...(version ? { version } : {}) });
  }
  for (const d of facts.nodeDaemonSets) {
    const version = ondatVersionOfImage(d.image);
    out.push({ source: `DaemonSet ${d.namespace}/${d.name}`, image: d.image, ...(version ? { version } : {}) });
  }
  for (const p of facts.nodePods) out.push(podEvidence(p));
  return out;
}

function describeEvidence(e: VersionEvidence): string {
  return `${e.source}: ${e.image}${e.version ? '' : ' (tag names no version)'}`;
}

export function assess(facts: OndatFacts, params: OndatParams): Assessment {
  const refusals: string[] = [];
  const blockers: PlanBlocker[] = [];
  const warnings: string[] = [];
  const ctx = facts.context;

  if (!facts.crdServed) {
    refusals.push(`no StorageOSCluster can exist in context ${ctx}: the storageosclusters.storageos.com CRD is not installed, so Ondat is not installed (or was already uninstalled). Check that this is the right context.`);
    return { refusals, warnings, evidence: [] };
  }
  if (facts.clusters.length === 0) {
    refusals.push(`no StorageOSCluster in any namespace of context ${ctx} (the CRD exists). If 2.7.0 was already uninstalled by hand, finish with the vendor steps 2 and 3; otherwise check the context.`);
    return { refusals, warnings, evidence: [] };
  }
  if (facts.clusters.length > 1) {
    refusals.push(`${facts.clusters.length} StorageOSCluster resources found (${facts.clusters.map((c) => `${c.namespace}/${c.name}`).join(', ')}); Ondat runs one cluster per Kubernetes cluster. Remove the stray one first.`);
  }
  const cluster = facts.clusters[0] as StorageOSClusterFact;

  const evidence = versionEvidence(facts, cluster);
  const versions = [...new Set(evidence.map((e) => e.version).filter((v): v is string => v !== undefined))];
  let version: string | undefined;
  if (evidence.length === 0) {
    refusals.push(`cannot tell which Ondat version runs in context ${ctx}: StorageOSCluster ${cluster.namespace}/${cluster.name} pins no node image and no storageos/node pod or DaemonSet was found. Make sure Ondat 2.7.x is running, then plan again.`);
  } else if (versions.length === 0) {
    refusals.push(`cannot tell which Ondat version runs in context ${ctx}: no image tag names a version (${evidence.map(describeEvidence).join('; ')}).`);
  } else if (versions.length > 1) {
    refusals.push(`Ondat versions disagree in context ${ctx} (${versions.join(', ')}), as if an upgrade were unfinished: ${evidence.map(describeEvidence).join('; ')}. Let it settle on 2.7.x first.`);
  } else {
    version = versions[0] as string;
    if (!/^2\.7\.\d+$/.test(version)) {
      const what = version === params.version ? `Ondat ${version} already runs; there is nothing to downgrade` : `this procedure downgrades 2.7.x only`;
      refusals.push(`found Ondat ${version} in context ${ctx}, not 2.7.x — ${what} (${evidence.map(describeEvidence).join('; ')}).`);
    }
  }
  if (cluster.phase !== undefined && cluster.phase !== 'Running') {
    warnings.push(`StorageOSCluster ${cluster.namespace}/${cluster.name} is in phase ${cluster.phase}, not Running.`);
  }

  if (facts.workloads.length > 0) {
    const list = facts.workloads.map(describeWorkload).join('; ');
    if (!params.scaleWorkloads) {
      blockers.push({
        problem: `workloads still use Ondat volumes (the vendor: "Make sure all workloads using Ondat volumes are scaled down to zero"): ${list}. `,
        resolution: 'Scale them to zero, or plan with --param scaleWorkloads=true to let Backout scale them to zero now and back after verification.',
        parameter: { name: 'scaleWorkloads', value: 'true' },
      });
    } else {
      const stuck = facts.workloads.filter((w) => !w.scalable);
      if (stuck.length > 0) {
        refusals.push(`these use Ondat volumes and cannot be scaled to zero by Backout: ${stuck.map(describeWorkload).join('; ')}. Stop them by hand (delete the bare pod, the Job, or the DaemonSet's pods), then plan again.`);
      }
    }
  }

  if (facts.operators.length === 0) {
    warnings.push(`no Ondat operator Deployment found in context ${ctx} under any naming scheme (storageos/storageos-operator, storageos-operator/storageos-cluster-operator, <release>-ondat-operator, or labelled control-plane=storageos-operator); the step that deletes it is left out.`);
  } else if (facts.operators.length > 1) {
    warnings.push(`${facts.operators.length} operator Deployments found (${facts.operators.map((o) => `${o.namespace}/${o.name}`).join(', ')}); all are deleted.`);
  }
  if (facts.etcd.objects.length === 0) {
    warnings.push(`etcd was not found in the cluster${facts.etcd.endpoints ? ` (the cluster uses ${facts.etcd.endpoints})` : ''}; it is outside Kubernetes, so Backout cannot check it is left alone — do not touch it.`);
  }
  for (const t of facts.tools) if (!t.available) warnings.push(`${t.tool} is not available here (${t.detail}); install it before the run reaches the 2.6.0 install (the run checks it first, before changing anything).`);
  return { refusals, blockers, warnings, cluster, ...(version ? { version } : {}), evidence };
}
