// "Export as script": the rendered downgrade as a bash script for kubectl or oc, for teams that must run it by hand.
// It does what Ondat's downgrade-db-2-7-to-2-6.sh does, with its defects fixed: the namespace is applied to every
// call and is the one in the manifest; a DaemonSet left by an interrupted run is adopted (same rendering) or
// replaced, never an AlreadyExists failure; the wait has a deadline; an init container in Error or CrashLoopBackOff
// stops the script naming the pod and node, with its log; progress is printed per node.
import type { RenderedDowngrade } from './downgrade-template';
import { TEMPLATE_HASH_ANNOTATION } from './downgrade-template';
import { selectorString } from './kube-json';
import type { CliTool } from './template-parameters';

export interface ExportOptions {
  /** kubectl or oc; the template's cliTool when absent. */
  cliTool?: CliTool;
  /** A kubeconfig context to name on every call; empty means the current context. */
  context?: string;
  /** Where the template came from, for the header. */
  source?: string;
}

/** Single-quotes a value for bash. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A heredoc delimiter that does not occur in the manifest. */
function delimiter(text: string): string {
  let d = 'BACKOUT_MANIFEST';
  for (let i = 1; text.split('\n').includes(d); i++) d = `BACKOUT_MANIFEST_${i}`;
  return d;
}

export function exportScript(r: RenderedDowngrade, o: ExportOptions = {}): string {
  const cli = o.cliTool ?? r.values.cliTool;
  const eof = delimiter(r.manifest);
  const jsonpathKey = TEMPLATE_HASH_ANNOTATION.replace(/\./g, '\\.');
  return `#!/usr/bin/env bash
# Ondat 2.7 -> 2.6: node-local database downgrade, exported by Backout${o.source ? ` from ${o.source}` : ''}.
# Equivalent to Ondat's downgrade-db-2-7-to-2-6.sh, corrected: namespace applied everywhere, safe to run again after
# an interruption, bounded wait, init container failures reported with pod, node and log, per-node progress.
# Values are fixed at export time; change them in the template and export again.
# Before running it: every workload using Ondat volumes is scaled to zero, the StorageOSCluster and the operator
# are deleted (etcd left alone), and no storageos node pod is left.
set -euo pipefail

CLI_TOOL=${q(cli)}
CONTEXT=${q(o.context ?? '')}
NAMESPACE=${q(r.values.namespace)}
DS_NAME=${q(r.values.name)}
SELECTOR=${q(selectorString(r.selector))}
INIT_CONTAINER=${q(r.initContainer)}
TEMPLATE_HASH=${q(r.hash)}
TIMEOUT_SECONDS=${r.values.timeoutSeconds}
POLL_SECONDS=5

cli() {
  if [ -n "$CONTEXT" ]; then
    "$CLI_TOOL" --context "$CONTEXT" --namespace "$NAMESPACE" "$@"
  else
    "$CLI_TOOL" --namespace "$NAMESPACE" "$@"
  fi
}

log() {
  printf '%s %s\\n' "$(date -u +%H:%M:%S)" "$*"
}

# 1. Create the DaemonSet, or adopt the one an interrupted run left (same rendering), or replace it.
existing="$(cli get daemonset "$DS_NAME" --ignore-not-found -o name)"
if [ -n "$existing" ]; then
  existing_hash="$(cli get daemonset "$DS_NAME" -o jsonpath='{.metadata.annotations.${jsonpathKey}}')"
  if [ "$existing_hash" = "$TEMPLATE_HASH" ]; then
    log "adopting daemonset $DS_NAME in $NAMESPACE left by an earlier run"
  else
    log "replacing daemonset $DS_NAME in $NAMESPACE (it came from another rendering)"
    cli delete daemonset "$DS_NAME" --wait=true --timeout=120s
    existing=""
  fi
fi
if [ -z "$existing" ]; then
  log "creating daemonset $DS_NAME in $NAMESPACE"
  cli create -f - <<'${eof}'
${r.manifest.replace(/\n$/, '')}
${eof}
fi

# 2. Wait until every node has finished, at most TIMEOUT_SECONDS; stop at the first init container failure.
deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))
while :; do
  pods="$(cli get pods -l "$SELECTOR" -o jsonpath='{range .items[*]}{.metadata.name}{"|"}{.spec.nodeName}{"|"}{.status.initContainerStatuses[0].state.waiting.reason}{.status.initContainerStatuses[0].state.terminated.reason}{"|"}{.status.initContainerStatuses[0].lastState.terminated.exitCode}{"|"}{.status.containerStatuses[0].ready}{"\\n"}{end}')"
  while IFS='|' read -r pod node init_state last_exit ready; do
    [ -n "$pod" ] || continue
    case "$init_state" in
      Error|CrashLoopBackOff)
        log "FAILED: init container $INIT_CONTAINER of pod $pod on node $node is in $init_state (last exit code \${last_exit:-unknown})"
        cli logs "$pod" -c "$INIT_CONTAINER" --tail=50 || log "(no log available for $pod)"
        log "Fix the cause on node $node, then run this script again: it adopts the DaemonSet and goes on."
        exit 1
        ;;
    esac
    if [ "$ready" = "true" ]; then
      log "node $node: done (pod $pod)"
    else
      log "node $node: \${init_state:-starting} (pod $pod)"
    fi
  done <<< "$pods"

  desired="$(cli get daemonset "$DS_NAME" -o jsonpath='{.status.desiredNumberScheduled}')"
  ready="$(cli get daemonset "$DS_NAME" -o jsonpath='{.status.numberReady}')"
  log "ready \${ready:-0}/\${desired:-0} nodes"
  if [ "\${desired:-0}" -gt 0 ] && [ "\${ready:-0}" = "\${desired:-0}" ]; then
    break
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "TIMEOUT: after $TIMEOUT_SECONDS s only \${ready:-0} of \${desired:-0} nodes finished; see the nodes above that are not done."
    exit 1
  fi
  sleep "$POLL_SECONDS"
done

# 3. Every node is done: remove the DaemonSet.
cli delete daemonset "$DS_NAME" --ignore-not-found --wait=true --timeout=120s
log "database downgraded on every node; daemonset $DS_NAME deleted. Now install Ondat v2.6.0."
`;
}
