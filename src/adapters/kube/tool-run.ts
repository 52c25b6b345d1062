// Runs a local tool (helm, kubectl-storageos) for a `run-tool` action (contract: src/core/tool-run.ts). Before the
// tool starts: the context must still lead to the cluster the plan was made for (kube-system's uid), and a Helm
// release it would act on must not be stuck in pending-* (Helm refuses, and an interrupted helm leaves that). The
// tool then gets, in a folder of its own inside the run folder (0700, removed afterwards whatever happens): a
// kubeconfig holding only the run's context as current-context, and its settings files, all 0600 — secrets reach
// these files only, never its arguments or its environment (which loses BACKOUT_SECRET_* too).
import { chmod, mkdir, rm, writeFile } from 'fs/promises';
import { join } from 'path';
import { stringify as stringifyYaml } from 'yaml';
import { isPendingStatus, type HelmReleaseRevision } from '../../core/helm-release';
import type { KubeAction } from '../../core/plan';
import type { ExecutionRequest, ExecutionResult, Executor } from '../../core/ports';
import { DIR_REF, FILE_REF, KUBECONFIG_REF, type ToolRun } from '../../core/tool-run';
import type { LocalAction } from '../../core/plan';
import type { KubeClient } from './client';
import { clusterChanged } from './cluster-identity';
import { releaseRevision } from './helm-release';
import { Resources } from './resources';
import type { KubeObject } from './types';

export interface ToolRunContext {
  client: KubeClient;
  /** The API server the action's context names, for messages. */
  server: string;
  /** The kubeconfig text for the action's context (see kubeconfig-export.ts). */
  kubeconfig: string;
  runFolder: string;
  local: Executor<LocalAction>;
}

/** The latest revision of a release, from its Secrets; undefined when it has none. */
export async function latestRevision(client: KubeClient, name: string, namespace: string, signal: AbortSignal): Promise<HelmReleaseRevision | undefined> {
  const list = await client.list<KubeObject & { data?: Record<string, string> }>(Resources.secrets, { namespace, labelSelector: `owner=helm,name=${name}`, signal });
  const revisions = list.items.map(releaseRevision).filter((r): r is HelmReleaseRevision => typeof r !== 'string');
  return revisions.sort((a, b) => b.revision - a.revision)[0];
}

function folderName(request: ExecutionRequest<KubeAction>): string {
  return `${request.step}-${request.instance}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export async function runTool(run: ToolRun, request: ExecutionRequest<KubeAction>, c: ToolRunContext): Promise<ExecutionResult> {
  const { signal } = request;
  const out = (text: string): void => request.output.line('stdout', text);
  const context = request.action.context;
  if (run.clusterUid !== undefined) {
    const refused = await clusterChanged(c.client, context, c.server, run.clusterUid, out, signal);
    if (refused) return refused;
  }
  if (run.releaseNotPending) {
    const { name, namespace } = run.releaseNotPending;
    const latest = await latestRevision(c.client, name, namespace, signal);
    if (latest && isPendingStatus(latest.status)) {
      out(`PENDING Helm release ${namespace}/${name} revision ${latest.revision} is ${latest.status} (chart ${latest.chart} ${latest.chartVersion})`);
      return {
        exitCode: 1,
        detail: `Helm release ${namespace}/${name} is ${latest.status} at revision ${latest.revision}: a helm command on it did not finish. See \`helm history ${name} -n ${namespace}\`, roll back to the last deployed revision (\`helm rollback\`), then resume`,
      };
    }
  }

  const dir = join(c.runFolder, 'tools', folderName(request));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  try {
    const write = async (name: string, text: string): Promise<string> => {
      const file = join(dir, name);
      await writeFile(file, text, { mode: 0o600 });
      await chmod(file, 0o600);
      return file;
    };
    const kubeconfig = await write('kubeconfig', c.kubeconfig);
    const paths = new Map<string, string>();
    for (const f of run.files) paths.set(f.name, await write(f.name, f.format === 'yaml' ? stringifyYaml(f.data) : f.text));
    const args: string[] = [];
    for (const a of run.args) {
      if (a === KUBECONFIG_REF || a === DIR_REF) {
        args.push(a === DIR_REF ? dir : kubeconfig);
        continue;
      }
      let missing: string | undefined;
      args.push(
        a.replace(FILE_REF, (_m, name: string) => {
          const p = paths.get(name);
          if (p === undefined) missing = name;
          return p ?? '';
        }),
      );
      if (missing !== undefined) return { exitCode: 1, detail: `run-tool: argument ${a} names file ${missing}, which the action does not carry` };
    }
    out(`$ ${[run.tool, ...args].join(' ')}  (KUBECONFIG=${kubeconfig}, current-context ${context}; files ${[...paths.keys()].join(', ') || 'none'}, mode 0600)`);
    return await c.local.execute({
      target: request.target,
      step: request.step,
      instance: request.instance,
      signal,
      output: request.output,
      action: { kind: 'local', argv: [run.tool, ...args], env: { KUBECONFIG: kubeconfig } },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
