// Figures of the torture suites, printed as one whole-tier figure after the last of them (a root-level hook: mocha
// runs the files in name order, and ondat-torture comes after local-torture, so no suite of the tier can print it).
export interface Tally {
  scenarios: number;
  killPoints: number;
  doubles: number;
  problems: number;
}

/** What a suite found in one scenario. */
export interface ScenarioFindings {
  label: string;
  doubles: string[];
  problems: string[];
}

/** Adds a suite's scenarios to its tally; returns their doubles and problems, each named by its scenario. */
export function record(tally: Tally, outcomes: readonly ScenarioFindings[], killPoints: number): { doubles: string[]; problems: string[] } {
  const doubles = outcomes.flatMap((o) => o.doubles.map((d) => `${o.label}: ${d}`));
  const problems = outcomes.flatMap((o) => o.problems.map((p) => `${o.label}: ${p}`));
  tally.scenarios += outcomes.length;
  tally.killPoints += killPoints;
  tally.doubles += doubles.length;
  tally.problems += problems.length;
  return { doubles, problems };
}

const blank = (): Tally => ({ scenarios: 0, killPoints: 0, doubles: 0, problems: 0 });
export const localTally = blank();
export const agentLabTally = blank();
export const kubeLabTally = blank();

after(() => {
  const parts = [['local', localTally], ['Agent lab', agentLabTally], ['kube lab', kubeLabTally]] as const;
  const ran = parts.filter(([, t]) => t.scenarios > 0);
  if (ran.length < 2) return;
  const sum = (k: keyof Tally): number => ran.reduce((n, [, t]) => n + t[k], 0);
  console.log(
    `      crash torture, whole tier: ${sum('scenarios')} scenarios, ${sum('killPoints')} kill points ` +
      `(${ran.map(([name, t]) => `${t.killPoints} ${name}`).join(', ')}); doubles found: ${sum('doubles')}; ` +
      `lost records or other problems: ${sum('problems')}`,
  );
});
