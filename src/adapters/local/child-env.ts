// The environment every child process gets: the host's plus what the step sets, minus the secrets the CLI accepts
// from the environment (BACKOUT_SECRET_<NAME>; see src/core/secret-env.ts), from either.
import { childEnv } from '../../core/secret-env';

export function childEnvironment(base: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnv({ ...base, ...extra });
}
