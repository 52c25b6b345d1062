// When the extra per-Agent steps of the MOP apply: "Only when downgrading from DataMiner 10.3.8 or higher to
// DataMiner 10.3.4, 10.3.5, 10.3.6, or 10.3.7, execute the following extra steps on each of the DMAs" — uninstall
// StorageModule (3.0.3 or higher) and UserDefinableApiEndpoint (2.0.0 or higher), reinstall StorageModule ≤ 1.0.1
// and UserDefinableApiEndpoint ≤ 1.1.1 from C:\Skyline DataMiner\tools\ModuleInstallers.
//
// The reason is the MessageBroker chunking change (v1 → v2) made in 10.3.8, which the known-issue page also dates to
// 10.3.0 [CU5]. The MOP says nothing about main-release CUs, so a downgrade that crosses that boundary through a
// 10.3.0 main release is not decided here: it is put to the user as a question.
import { compareVersions, formatVersion, parseVersion, releaseKind, type DmVersion } from './version';

export type SwapDecision =
  | { swap: 'required'; reason: string }
  | { swap: 'not-needed'; reason: string }
  | { swap: 'ask'; question: string };

const V10_3_4 = parseVersion('10.3.4');
const V10_3_7_LAST = { ...parseVersion('10.3.7'), cu: 99 };
const V10_3_8 = parseVersion('10.3.8');

function inSwapTargetRange(v: DmVersion): boolean {
  return compareVersions(v, V10_3_4) >= 0 && compareVersions(v, V10_3_7_LAST) <= 0;
}

/** 10.3.8 or higher, in the MOP's sense (feature releases 10.3.8+, and every later major). */
function atOrAbove1038(v: DmVersion): boolean {
  return compareVersions(v, V10_3_8) >= 0;
}

/** A 10.3.0 main release with CU5 or later: the chunking change is dated there too. */
function isChunkingMainReleaseCu(v: DmVersion): boolean {
  return v.major === 10 && v.minor === 3 && releaseKind(v) === 'main' && v.cu >= 5;
}

/** Whether the swap applies after installing `to` on a DMS that ran `from`. */
export function moduleSwapDecision(from: DmVersion, to: DmVersion): SwapDecision {
  const f = formatVersion(from);
  const t = formatVersion(to);
  if (compareVersions(to, from) >= 0) return { swap: 'not-needed', reason: `${f} → ${t} is not a downgrade.` };
  if (atOrAbove1038(from) && inSwapTargetRange(to)) {
    return { swap: 'required', reason: `Downgrading from ${f} (10.3.8 or higher) to ${t} (10.3.4–10.3.7): the MOP requires the module swap on every Agent.` };
  }
  const fromHasChunkingV2 = atOrAbove1038(from) || isChunkingMainReleaseCu(from);
  const toIs1030Main = to.major === 10 && to.minor === 3 && releaseKind(to) === 'main';
  if (fromHasChunkingV2 && toIs1030Main && !isChunkingMainReleaseCu(to)) {
    return {
      swap: 'ask',
      question:
        `Downgrading from ${f} to ${t}: the MOP prescribes the StorageModule/UserDefinableApiEndpoint swap only for ` +
        'targets 10.3.4–10.3.7, but the MessageBroker chunking change it guards against is also dated to 10.3.0 [CU5], ' +
        `and ${t} predates that CU. Should Backout swap the modules on every Agent after this package? ` +
        '(Answer with the moduleSwap parameter: yes or no; Skyline support can confirm for your system.)',
    };
  }
  return { swap: 'not-needed', reason: `${f} → ${t} is outside "10.3.8 or higher to 10.3.4–10.3.7".` };
}
