// Turns the outcome of reading kubeconfig into Targets tree nodes. Pure (no vscode), so unit tests cover it.
import * as path from 'path';
import type { KubeconfigSource, LoadedKubeconfig } from '../../adapters/kube/kubeconfig';
import type { KubeGroupNode, ProblemNode, TargetNode } from './nodes';

export type KubeconfigOutcome =
  | { ok: true; loaded: LoadedKubeconfig }
  | { ok: false; source: KubeconfigSource; error: Error & { file?: string }; missing: boolean };

const ORIGIN_TEXT: Record<KubeconfigSource['origin'], string> = {
  setting: 'the backout.kubeconfig setting',
  KUBECONFIG: '$KUBECONFIG',
  default: '~/.kube/config',
};

/**
 * The nodes for the Kubernetes part of the tree. A missing default kubeconfig yields nothing (the view's welcome
 * content explains what to do); every other failure yields a problem node naming the file and the fix.
 */
export function kubeNodes(outcome: KubeconfigOutcome): TargetNode[] {
  if (!outcome.ok) {
    if (outcome.missing && outcome.source.origin === 'default') return [];
    const problem: ProblemNode = {
      kind: 'problem',
      severity: 'error',
      label: outcome.missing ? 'Kubeconfig not found' : 'Invalid kubeconfig',
      summary: summarize(outcome.error.message, outcome.error.file),
      message: outcome.error.message,
      file: outcome.missing ? undefined : outcome.error.file,
    };
    return [{ kind: 'kube-group', files: outcome.source.files, origin: ORIGIN_TEXT[outcome.source.origin], children: [problem] }];
  }
  const { loaded } = outcome;
  const children: TargetNode[] = loaded.contexts.map((context) => ({ kind: 'kube-context', context }));
  for (const file of loaded.missingFiles) {
    children.push({
      kind: 'problem',
      severity: 'warning',
      label: 'Kubeconfig file not found',
      summary: path.basename(file),
      message: `${file} is listed in ${ORIGIN_TEXT[loaded.source.origin]} but does not exist; it was skipped, as kubectl does.`,
    });
  }
  if (loaded.contexts.length === 0) {
    children.unshift({
      kind: 'problem',
      severity: 'warning',
      label: 'No contexts',
      summary: path.basename(loaded.source.files[0]),
      message: `${loaded.source.files.join(', ')} defines no contexts. Add one with your cluster tooling or choose another kubeconfig.`,
      file: loaded.source.files[0],
    });
  }
  const group: KubeGroupNode = {
    kind: 'kube-group',
    files: loaded.source.files.filter((f) => !loaded.missingFiles.includes(f)),
    origin: ORIGIN_TEXT[loaded.source.origin],
    children,
  };
  return [group];
}

/** "malformed.yaml: invalid YAML" out of the full message, for the line beside the label. */
function summarize(message: string, file: string | undefined): string {
  const name = file ? path.basename(file) : undefined;
  const reason = /is malformed: ([^:.]+)/.exec(message)?.[1] ?? /cannot be read/.exec(message)?.[0] ?? message.split('.')[0];
  return name ? `${name}: ${reason}` : reason;
}
