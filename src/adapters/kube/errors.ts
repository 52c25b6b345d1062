// Typed errors of the Kubernetes adapter. Each message names the context and its API server, says what happened,
// and what to do next, because the user sees it as is in a notification or the CLI.
import { BackoutError } from '../../core/errors';

/** Which cluster a call went to: the context is always explicit, the server is what the context points at. */
export interface KubeTarget {
  context: string;
  server: string;
  user?: string;
}

function where(t: KubeTarget): string {
  return `Kubernetes context "${t.context}" (${t.server})`;
}

export abstract class KubeError extends BackoutError {
  constructor(
    readonly target: KubeTarget,
    message: string,
  ) {
    super(message);
  }
}

/** The API server could not be reached at all (refused, DNS, TLS, proxy). */
export class KubeUnreachableError extends KubeError {
  readonly code = 'kube-unreachable';
  constructor(
    target: KubeTarget,
    readonly reason: string,
    readonly systemCode?: string,
  ) {
    super(
      target,
      `${where(target)}: cannot connect to the API server: ${reason}. ` +
        'Check that the cluster is running and that the server address, VPN or proxy-url in your kubeconfig are right.',
    );
  }
}

/** The API server did not answer within the bound; the UI never waits longer than this. */
export class KubeTimeoutError extends KubeError {
  readonly code = 'kube-timeout';
  constructor(
    target: KubeTarget,
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(
      target,
      `${where(target)}: no answer to ${what} within ${Math.round(timeoutMs / 100) / 10} s. ` +
        'The server may be overloaded or unreachable through the network; check it with `kubectl --context ' +
        `${target.context} get --raw /readyz\`, then retry.`,
    );
  }
}

/** RBAC refused the call: says which verb on which resource in which namespace was denied. */
export class KubeForbiddenError extends KubeError {
  readonly code = 'kube-forbidden';
  constructor(
    target: KubeTarget,
    readonly verb: string,
    readonly resource: string,
    readonly namespace: string | undefined,
    readonly serverMessage: string,
  ) {
    super(
      target,
      `${where(target)}: ${target.user ? `user "${target.user}"` : 'the user'} may not ${verb} ${resource}` +
        `${namespace ? ` in namespace "${namespace}"` : ' (cluster-wide)'} (RBAC: ${serverMessage}). ` +
        `Ask a cluster admin to grant "${verb}" on "${resource}", or choose a context with more rights.`,
    );
  }
}

/** 401: the credentials were rejected (expired token, wrong certificate). */
export class KubeUnauthorizedError extends KubeError {
  readonly code = 'kube-unauthorized';
  constructor(target: KubeTarget, readonly serverMessage: string) {
    super(
      target,
      `${where(target)}: the API server rejected the credentials${target.user ? ` of user "${target.user}"` : ''} ` +
        `(${serverMessage}). Renew them (log in again with your cluster tooling) and retry.`,
    );
  }
}

/** Any other answer of the API server that is not a success, with its HTTP status and Kubernetes reason. */
export class KubeApiError extends KubeError {
  readonly code: string = 'kube-api';
  constructor(
    target: KubeTarget,
    readonly status: number,
    readonly reason: string,
    readonly what: string,
    readonly serverMessage: string,
    hint = 'See the message from the API server; retry when the cause is fixed.',
  ) {
    super(target, `${where(target)}: ${what} failed: HTTP ${status} ${reason}: ${serverMessage}. ${hint}`);
  }
}

export class KubeNotFoundError extends KubeApiError {
  override readonly code = 'kube-not-found';
  constructor(target: KubeTarget, what: string, serverMessage: string) {
    super(target, 404, 'NotFound', what, serverMessage, 'Check the name and namespace (and that the CRD is installed).');
  }
}

export class KubeConflictError extends KubeApiError {
  override readonly code = 'kube-conflict';
  constructor(target: KubeTarget, reason: string, what: string, serverMessage: string) {
    super(target, 409, reason, what, serverMessage, 'Another writer changed the object; read it again and retry.');
  }
}

/** 410: a watch or list continued from a resourceVersion the server no longer has. Handled inside the adapter. */
export class KubeGoneError extends KubeApiError {
  override readonly code = 'kube-gone';
  constructor(target: KubeTarget, what: string, serverMessage: string) {
    super(target, 410, 'Expired', what, serverMessage, 'List again from the start.');
  }
}

/** The kubeconfig's exec credential plugin is missing or failed. */
export class KubeExecPluginError extends KubeError {
  readonly code = 'kube-exec-plugin';
  constructor(
    target: KubeTarget,
    readonly command: string,
    readonly problem: string,
    installHint?: string,
  ) {
    super(
      target,
      `${where(target)}: the credential plugin "${command}" of user "${target.user ?? '?'}" ${problem}. ` +
        (installHint ? `${installHint.trim()} ` : '') +
        `Install it or put it on PATH (PATH=${process.env.PATH ?? ''}), or fix the exec section of the kubeconfig.`,
    );
  }
}

/** A wait gave up: the object still exists / the condition still does not hold. */
export class KubeWaitTimeoutError extends KubeError {
  readonly code = 'kube-wait-timeout';
  constructor(target: KubeTarget, readonly what: string, readonly timeoutMs: number, readonly lastSeen: string) {
    super(
      target,
      `${where(target)}: gave up waiting ${Math.round(timeoutMs / 1000)} s for ${what}; last seen: ${lastSeen}. ` +
        'Look at the object and its events (kubectl describe) before retrying.',
    );
  }
}

/** Logs are served by the kubelet through the API server; clusters without a reachable kubelet have none. */
export class KubeLogsUnavailableError extends KubeError {
  readonly code = 'kube-logs-unavailable';
  constructor(target: KubeTarget, readonly pod: string, readonly namespace: string, readonly serverMessage: string) {
    super(
      target,
      `${where(target)}: logs of pod "${pod}" in namespace "${namespace}" are not available (${serverMessage}). ` +
        'The node\'s kubelet may be unreachable from the API server; look at the pod\'s events instead.',
    );
  }
}

export function isKubeError(err: unknown): err is KubeError {
  return err instanceof KubeError;
}
