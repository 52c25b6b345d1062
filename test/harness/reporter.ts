// Mocha reporter for every tier: the usual spec output, then one closing line "<tier>: N passed, N failed" and, when
// BACKOUT_RESULTS_FILE is set, the counts as JSON for the harness that sums up the tiers.
import * as fs from 'fs';
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

import type { TierCounts } from './tier';

class BackoutReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    const tier = process.env.BACKOUT_TIER ?? 'tests';
    const counts: TierCounts = { passed: 0, failed: 0, pending: 0, failures: [] };
    runner.on(EVENT_TEST_PASS, () => counts.passed++);
    runner.on(EVENT_TEST_PENDING, () => counts.pending++);
    // Hook failures count too: a failing before() hides its tests and must fail the tier.
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test) => {
      counts.failed++;
      counts.failures.push(test.fullTitle());
    });
    runner.once(EVENT_RUN_END, () => {
      console.log(`${tier}: ${counts.passed} passed, ${counts.failed} failed${counts.pending ? `, ${counts.pending} skipped` : ''}`);
      const file = process.env.BACKOUT_RESULTS_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify(counts));
    });
  }
}

export = BackoutReporter;
