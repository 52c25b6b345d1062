// Runs tasks with at most `limit` in flight, in order of the items. Used for per-instance fan-out.

export async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const bound = Math.max(1, Math.floor(limit));
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(bound, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** Like forEachBounded, keeping each task's result at its item's position. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachBounded(
    items.map((item, i) => ({ item, i })),
    limit,
    async ({ item, i }) => {
      out[i] = await task(item);
    },
  );
  return out;
}
