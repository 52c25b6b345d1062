// Exit codes of `backout`, documented in docs/cli.md; scripts depend on them.
export const EXIT = {
  ok: 0,
  runFailed: 1,
  usage: 2,
  targetLocked: 3,
  confirmationRequired: 4,
  error: 5,
  runCancelled: 6,
  planChanged: 7,
  interrupted: 130,
} as const;
