// Mocha global fixture for the integration tier (loaded with --require): stops every lab the suites started.
import { runTeardowns } from './teardown';

export async function mochaGlobalTeardown(): Promise<void> {
  await runTeardowns();
}
