// What a downgrade can break that Backout cannot repair by itself, shown as warnings and as steps the user
// acknowledges (their answer, who gave it and when, is in the run's journal).
import type { Step } from '../../core/plan';
import { SRC } from './sources';
import { manualStep as manual } from './step-builders';

export const DOWNGRADE_WARNINGS: readonly string[] = [
  'Dashboards and low-code apps may stop working after the downgrade: restore them manually (downgrading the DataMiner web apps).',
  'If the Credentials Library is broken after the downgrade, restore Library.xml from the recycle bin to C:\\Skyline DataMiner\\Security\\Credentials on every Agent ' +
    '(not in the MOP: from an unmerged dataminer-docs pull request).',
];

export function acknowledgeWarningsStep(dms: string, extra?: string): Step {
  const step = manual(
    'acknowledge-warnings',
    'Acknowledge what the downgrade can break',
    `${SRC.webApps}; ${SRC.credentials}`,
    `Before DMS ${dms} is downgraded: (1) dashboards and low-code apps may stop working and need restoring by hand; ` +
      '(2) the Credentials Library may need Library.xml restored on every Agent; (3) Skyline recommends a full investigation before an ' +
      'urgent downgrade. Confirm you have read this and have the web apps backups at hand.' +
      (extra === undefined ? '' : ` (4) ${extra}`),
  );
  return step;
}

export function webAppsStep(): Step {
  return manual(
    'restore-web-apps',
    'Restore dashboards and low-code apps (web apps downgrade)',
    SRC.webApps,
    'On every DMA: copy the Applications and Dashboards folders aside; extract the zip of the version you downgraded to from ' +
      'C:\\Skyline DataMiner\\System Cache\\Web\\Backups (the last 5 are kept) into C:\\Skyline DataMiner; reinstall the GQI DxM and the Web DcM ' +
      'from C:\\Skyline DataMiner\\Tools\\ModuleInstallers. Then open a dashboard and a low-code app to check they work.',
  );
}

export function credentialsLibraryStep(): Step {
  return manual(
    'check-credentials-library',
    'Check the Credentials Library',
    SRC.credentials,
    'Open the Credentials Library in Cube. If it is broken, restore Library.xml from the recycle bin to ' +
      'C:\\Skyline DataMiner\\Security\\Credentials on every Agent, then restart DataMiner on those Agents.',
  );
}
