// Figures of the torture suites that run in the labs, added to the tier's printed figure by local-torture.test.ts
// (mocha loads the files in name order, so the lab suites have counted by the time it prints).
export const agentLabTally = { scenarios: 0, killPoints: 0, doubles: 0, problems: 0 };
