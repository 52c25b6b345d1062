// One kube lab per mocha process, started on first use and stopped by the global teardown. Fixtures on top of it
// (Ondat installs, bulk pods) are applied once too, so suites can share them in any order.
import { KubeLab } from '../../../lab/kube/lab';
import { OndatNaming, OndatVariant } from '../../../lab/kube/fixtures/naming';
import { registerTeardown } from '../teardown';

let lab: Promise<KubeLab> | undefined;
/** The Ondat install in place: one naming at a time (two cannot run side by side; see removeOndat). `changed`
 * marks an install a test has altered (e.g. downgraded), to be removed and installed afresh on next use. */
let ondat: { variant: OndatVariant | 'changed'; naming: Promise<OndatNaming> } | undefined;
let bulk: Promise<void> | undefined;

export const BULK = { pods: 5000, namespaces: 20, ondatEvery: 3 } as const;

export function kubeLab(): Promise<KubeLab> {
  lab ??= KubeLab.start({
    nodes: 3,
    log: process.env.BACKOUT_LAB_VERBOSE ? (line) => console.error(`[kube lab] ${line}`) : undefined,
  }).then((l) => {
    registerTeardown(() => l.stop());
    return l;
  });
  return lab;
}

/** Ensures Ondat 2.7.0 is installed with the given naming, replacing an install with another naming. */
/** Tells the fixture that a test changed the Ondat install (downgraded or removed it). */
export function ondatChanged(): void {
  if (ondat) ondat = { variant: 'changed', naming: ondat.naming };
}

export async function ondatInstalled(variant: OndatVariant): Promise<OndatNaming> {
  const l = await kubeLab();
  if (ondat?.variant !== variant) {
    const previous = ondat?.naming;
    const naming = (async () => {
      if (previous) await l.removeOndat(await previous);
      return l.applyOndat(variant);
    })();
    ondat = { variant, naming };
  }
  return ondat.naming;
}

let bulkLab: Promise<KubeLab> | undefined;

/**
 * 5,000 pods and 5,000 PVCs in 20 namespaces (see lab/kube/fixtures/bulk.ts), in a lab of their own: bare pods on
 * Ondat volumes would make every Ondat downgrade in the shared lab refuse (rightly), whatever the suites' order.
 */
export async function bulkInstalled(): Promise<KubeLab> {
  bulkLab ??= KubeLab.start({ nodes: 3 }).then(async (l) => {
    registerTeardown(() => l.stop());
    await l.applyOndat('current'); // the bulk claims use its StorageClass
    return l;
  });
  const l = await bulkLab;
  bulk ??= l.applyBulk(BULK);
  await bulk;
  return l;
}
