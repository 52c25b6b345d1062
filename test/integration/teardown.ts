// Labs started by integration tests register how to stop themselves here; global.ts runs these once mocha is done,
// so that one lab serves every suite of the run and is always stopped, also when a suite fails.
const teardowns: Array<() => Promise<void> | void> = [];

export function registerTeardown(fn: () => Promise<void> | void): void {
  teardowns.push(fn);
}

export async function runTeardowns(): Promise<void> {
  while (teardowns.length > 0) {
    const fn = teardowns.pop();
    try {
      await fn?.();
    } catch (err) {
      console.error('teardown failed:', err);
    }
  }
}
