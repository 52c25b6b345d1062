// The kube lab's optional audit log, for the crash-torture suite: which writes a given user made to the cluster, each
// counted once the apiserver answered. Policy and event format as in the Kubernetes auditing docs
// (https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/): a Policy of audit.k8s.io/v1 rules matched in order,
// level Metadata records user, verb, objectRef and responseStatus without bodies; the log backend writes one JSON
// event per line, one line per stage (RequestReceived, ResponseStarted, ResponseComplete, Panic).
import { existsSync, readFileSync } from 'fs';
import { writeFile } from 'fs/promises';

/** The verbs that change the cluster: everything else (get, list, watch) is left out of the log. */
export const AUDITED_VERBS = ['create', 'update', 'patch', 'delete'] as const;
export type AuditedVerb = (typeof AUDITED_VERBS)[number];

/** Metadata for the writes, nothing else; RequestReceived omitted (only ResponseComplete is counted). */
export function auditPolicyYaml(): string {
  return [
    'apiVersion: audit.k8s.io/v1',
    'kind: Policy',
    'omitStages: ["RequestReceived"]',
    'rules:',
    `  - level: Metadata`,
    `    verbs: [${AUDITED_VERBS.join(', ')}]`,
    '  - level: None',
    '',
  ].join('\n');
}

export async function writeAuditPolicy(file: string): Promise<void> {
  await writeFile(file, auditPolicyYaml());
}

/** One write as the audit log shows it at ResponseComplete. */
export interface AuditWrite {
  verb: AuditedVerb;
  /** resource, or resource/subresource (deployments/scale). */
  resource: string;
  namespace: string;
  name: string;
  user: string;
  code: number;
  at: string;
}

interface RawEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  stageTimestamp?: string;
}

/**
 * The writes `user` made, from the log file (all of it: the apiserver appends across restarts). A line torn by a
 * killed apiserver is skipped; anything else that does not read is an error, since a count from it would lie.
 */
export function readAuditWrites(file: string, user: string): AuditWrite[] {
  if (!existsSync(file)) return [];
  const out: AuditWrite[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let e: RawEvent;
    try {
      e = JSON.parse(line) as RawEvent;
    } catch (err) {
      if (i === lines.length - 1) return; // the last line, still being written
      throw new Error(`audit log ${file} line ${i + 1} does not read: ${(err as Error).message}`);
    }
    if (e.stage !== 'ResponseComplete' || e.user?.username !== user) return;
    const verb = e.verb as AuditedVerb;
    if (!(AUDITED_VERBS as readonly string[]).includes(verb) || !e.objectRef?.resource) return;
    const { resource, subresource, namespace, name } = e.objectRef;
    out.push({
      verb,
      resource: subresource ? `${resource}/${subresource}` : resource,
      namespace: namespace ?? '',
      name: name ?? '',
      user,
      code: e.responseStatus?.code ?? 0,
      at: e.stageTimestamp ?? '',
    });
  });
  return out;
}

/** "verb resource namespace/name" of a write: the key effects are counted by. */
export function writeKey(w: Pick<AuditWrite, 'verb' | 'resource' | 'namespace' | 'name'>): string {
  return `${w.verb} ${w.resource} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`;
}

/** How many times each write took effect (2xx answers); refused attempts (409, 404, …) are not effects. */
export function countEffects(writes: readonly AuditWrite[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of writes) {
    if (w.code < 200 || w.code >= 300) continue;
    const k = writeKey(w);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}
