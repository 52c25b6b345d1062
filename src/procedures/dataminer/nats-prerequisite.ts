// The known issue "Downgrade fails on VerifyNatsIsRunning prerequisite" (dataminer-docs
// KI_Downgrade_fails_VerifyNatsIsRunning_prerequisite): from 10.4.0/10.4.3 on, DataMiner uses the
// DataMinerMessageBroker.API NuGet instead of SLMessageBroker.dll, but the VerifyNatsIsRunning.dll prerequisite inside
// an older package expects SLMessageBroker.dll on the DMA. So the check fails for a package prior to 10.4.0/10.4.3
// installed while the DMA runs 10.4.0/10.4.3 or later — in a multi-step downgrade, the first package below that line,
// not necessarily the first package. Packages carry the check from 10.2.7/10.2.0 [CU14] until 10.5.3/10.5.0 [CU0]
// (user-guide/Reference/DataMiner_Tools/VerifyNatsIsRunning.md). Removing a prerequisite for any other reason is not
// covered by support (Preparing_to_upgrade_a_DataMiner_Agent.md): the fix is decided here and nowhere else.
import { releaseKind, type DmVersion } from './version';

/** 10.4.0/10.4.3 or later: main release 10.4.0 (and its CUs), feature release 10.4.3 and later; 10.4.1 and 10.4.2 are before it. */
export function usesMessageBrokerNuget(v: DmVersion): boolean {
  if (v.major !== 10) return v.major > 10;
  if (v.minor !== 4) return v.minor > 4;
  return releaseKind(v) === 'main' || v.release >= 3;
}

/** Whether the vendor's package of this version has Update.zip\Prerequisites\VerifyNatsIsRunning.dll. */
export function carriesVerifyNatsIsRunning(v: DmVersion): boolean {
  if (v.major !== 10) return false;
  const main = releaseKind(v) === 'main';
  if (v.minor === 2) return main ? v.cu >= 14 : v.release >= 7;
  if (v.minor === 3 || v.minor === 4) return true;
  if (v.minor === 5) return main ? v.cu === 0 : v.release <= 3;
  return false;
}

/** Whether installing a package of version `pkg` while the DMA runs `running` meets the known issue. */
export function meetsNatsKnownIssue(running: DmVersion, pkg: DmVersion): boolean {
  return usesMessageBrokerNuget(running) && !usesMessageBrokerNuget(pkg) && carriesVerifyNatsIsRunning(pkg);
}
