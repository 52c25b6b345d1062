// What each test tier reports back to run-all.
export interface TierCounts {
  passed: number;
  failed: number;
  pending: number;
  failures: string[];
}
