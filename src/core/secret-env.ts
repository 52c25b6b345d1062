// Secrets given to the CLI as BACKOUT_SECRET_<NAME> environment variables are for Backout alone: a child process
// (a local step, helm, a kubeconfig exec plugin) never inherits them. A step that needs a secret names it in its
// action (${secret:NAME}), where it is filled in for that one command.

export const SECRET_ENV_PREFIX = 'BACKOUT_SECRET_';

/** Whether an environment variable carries a secret for Backout (Windows names are case-insensitive). */
export function isSecretEnvName(name: string): boolean {
  return name.toUpperCase().startsWith(SECRET_ENV_PREFIX);
}

/** A copy of `env` without BACKOUT_SECRET_* variables, for a child process. */
export function childEnv(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!isSecretEnvName(k) && v !== undefined) out[k] = v;
  return out;
}
