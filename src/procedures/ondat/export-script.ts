// "Export as script": the rendered downgrade as a bash script for kubectl or oc, for teams that must run it by hand.
// It does what Ondat's downgrade-db-2-7-to-2-6.sh does, with its defects fixed: the namespace is applied to every
// call and is the one in the manifest; a DaemonSet left by an interrupted run is adopted (same rendering) or
// replaced, never an AlreadyExists failure; the wait has a deadline; an init container in Error or CrashLoopBackOff
// stops the script naming the pod and node, with its log, and so do pods never created (FailedCreate), FailedMount,
// FailedScheduling and image pull failures, with the event text; progress is printed per node.
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

/** The template's path as a comment can hold it: a newline or carriage return in a file name would end the comment
 * and make the rest of the name a command; other control characters would garble the terminal. */
export function commentSafe(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
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
# Ondat 2.7 -> 2.6: node-local database downgrade, exported by Backout${o.source ? ` from ${commentSafe(o.source)}` : ''}.
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

# 2. Wait until every node has finished, at most TIMEOUT_SECONDS; stop at the first failure that waiting will not
#    fix: pods never created (FailedCreate: ServiceAccount, PodSecurity, quota), a pod that cannot be scheduled or
#    mounted (FailedScheduling, FailedMount), an image that cannot be pulled, an init container in Error.
deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))
ds_uid="$(cli get daemonset "$DS_NAME" -o jsonpath='{.metadata.uid}')"
while :; do
  not_created="$(cli get events --field-selector "involvedObject.uid=$ds_uid,reason=FailedCreate" -o jsonpath='{range .items[*]}{.message}{"\\n"}{end}')"
  if [ -n "$not_created" ]; then
    log "FAILED: the DaemonSet controller creates no downgrade pod (FailedCreate): $(printf '%s\\n' "$not_created" | tail -n 1)"
    log "Fix the cause (ServiceAccount, PodSecurity, quota), then run this script again: it adopts the DaemonSet and goes on."
    exit 1
  fi
  pods="$(cli get pods -l "$SELECTOR" -o jsonpath='{range .items[*]}{.metadata.name}{"|"}{.metadata.uid}{"|"}{.spec.nodeName}{"|"}{.status.initContainerStatuses[0].state.waiting.reason}{.status.initContainerStatuses[0].state.terminated.reason}{"|"}{.status.initContainerStatuses[0].lastState.terminated.exitCode}{"|"}{.status.containerStatuses[0].state.waiting.reason}{"|"}{.status.containerStatuses[0].ready}{"\\n"}{end}')"
  while IFS='|' read -r pod uid node init_state last_exit main_state ready; do
    [ -n "$pod" ] || continue
    case "$init_state" in
      Error|CrashLoopBackOff|ErrImagePull|ImagePullBackOff)
        log "FAILED: init container $INIT_CONTAINER of pod $pod on node \${node:-(unscheduled)} is in $init_state (last exit code \${last_exit:-unknown})"
        cli logs "$pod" -c "$INIT_CONTAINER" --tail=50 || log "(no log available for $pod)"
        log "Fix the cause on node \${node:-(unscheduled)}, then run this script again: it adopts the DaemonSet and goes on."
        exit 1
        ;;
    esac
    case "$main_state" in
      ErrImagePull|ImagePullBackOff|CreateContainerConfigError|CreateContainerError|InvalidImageName)
        log "FAILED: container of pod $pod on node \${node:-(unscheduled)} is in $main_state"
        exit 1
        ;;
    esac
    stuck="$(cli get events --field-selector "involvedObject.uid=$uid,type=Warning" -o jsonpath='{range .items[*]}{.reason}{"|"}{.message}{"\\n"}{end}' | grep -E '^(FailedMount|FailedScheduling|FailedAttachVolume|Failed)\\|' | tail -n 1 || true)"
    if [ -n "$stuck" ]; then
      log "FAILED: pod $pod on node \${node:-(unscheduled)}: \${stuck%%|*}: \${stuck#*|}"
      log "Fix the cause, then run this script again: it adopts the DaemonSet and goes on."
      exit 1
    fi
    if [ "$ready" = "true" ]; then
      log "node $node: done (pod $pod)"
    else
      log "node \${node:-(unscheduled)}: \${init_state:-starting} (pod $pod)"
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
