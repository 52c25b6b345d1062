// The environment every child process gets: the host's, minus the secrets the CLI accepts from the environment
// (BACKOUT_SECRET_<NAME>, see src/cli/terminal-prompter.ts). A child has no business reading them, and whatever a
// child can read it can leak into its own logs or its children.
const SECRET_VARIABLE = /^BACKOUT_SECRET_/i;

export function childEnvironment(base: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!SECRET_VARIABLE.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (!SECRET_VARIABLE.test(k)) env[k] = v;
  return env;
}
