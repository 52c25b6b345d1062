// The vendor passages the steps implement, quoted once so that every step names its source the same way.
export const MOP = 'MOP "Downgrading a DMS"';
export const UPGRADE_MOP = 'MOP "Upgrading a DMA/DMS"';

export const SRC = {
  facts: `${MOP}, Downgrade with DataMiner; ${UPGRADE_MOP}: "all DMAs in a cluster must run the same DataMiner version"`,
  download: `${MOP}, Downgrade with DataMiner, step 1: "Download the DataMiner upgrade package for the version you want to downgrade to."`,
  severalMajors:
    `${MOP}, Note: "If you need to go back several major DataMiner versions … we recommend downloading a package for every major version you are downgrading to" ` +
    '(e.g. 10.4.0 → 10.1.0: install 10.3.0, then 10.2.0, then 10.1.0)',
  upgrade: `${MOP}, Downgrade with DataMiner, step 2: "Perform the upgrade procedure with this package as described in Upgrading a DMA/DMS"; Taskbar Utility: SLTaskbarUtility.exe -upgrade <package> <UpgradeInfo.xml>`,
  // Cube's "Upload only" runs the prerequisite checks at upload; a copy over SFTP does not: they run when the package is installed.
  upload: `${UPGRADE_MOP}, pre-upgrade check: upload the packages. Backout only copies the file to the Agent; the package's prerequisite checks run when the Taskbar Utility installs it`,
  verifyEach: `${UPGRADE_MOP}, verify: each DMA runs the new version`,
  prerequisiteFix:
    'Known issue "Downgrade fails on VerifyNatsIsRunning prerequisite": a package prior to 10.4.0/10.4.3 installed while the DMA runs 10.4.0/10.4.3 or later ' +
    'fails the check; remove VerifyNatsIsRunning.dll from \\Update.zip\\Prerequisites\\ inside that package',
  swapWait: `${MOP}, step 3.1: "Wait for the downgrade to have "completed". The upgrade status will keep showing "Starting up (xx%)" at this stage."`,
  swapStop: `${MOP}, step 3.2: "Stop the DataMiner Software."`,
  swapCheck: `${MOP}, steps 3.3–3.4: "Open the Windows Add or remove programs window" (which versions are installed)`,
  swapUninstallStorage: `${MOP}, step 3.4.1: "Uninstall … DataMiner StorageModule (version 3.0.3 or higher)."`,
  swapUninstallApi: `${MOP}, step 3.4.2: "Uninstall … DataMiner UserDefinableApiEndpoint (version 2.0.0 or higher)."`,
  swapInstallStorage: `${MOP}, step 3.5.1: "Go to the folder C:\\Skyline DataMiner\\tools\\ModuleInstallers … re-install DataMiner StorageModule (version 1.0.1 or lower)."`,
  swapInstallApi: `${MOP}, step 3.5.2: "… re-install DataMiner UserDefinableApiEndpoint (version 1.1.1 or lower)."`,
  swapStart: `${MOP}, step 3.6: "Start the DataMiner software."`,
  webApps:
    `${MOP}, IMPORTANT: dashboards and low-code apps may stop working after a downgrade; restore them manually ` +
    '(Upgrading_Downgrading_Webapps#downgrading-the-dataminer-web-apps)',
  credentials:
    'Not in the MOP: an open, unmerged pull request to SkylineCommunications/dataminer-docs (6365/6633) adds "if the Credentials Library is broken after the downgrade, ' +
    'restore Library.xml from the recycle bin to C:\\Skyline DataMiner\\Security\\Credentials on every Agent"',
  snapshotPreferred: `${MOP}, Downgrade with VM snapshot restore (preferred): "This will fully reset the state of the server back to a known stable state"`,
  snapshotRequirement: `${MOP}, Requirements: "A snapshot must be created before you start an update … as shortly before the upgrade as possible"`,
  databaseVm: `${MOP}: "if there is a separate database VM, a snapshot will potentially also need to be restored, since a major DataMiner update could affect the database schema"`,
  remoteDatabase: `${MOP}: "For remote database clusters, please follow the in-house procedures to roll back the data/schema … restoring Cassandra snapshots may be preferable"`,
  snapshotMethod: `${MOP}: "The exact method to do this depends on your setup … Refer to the documentation for your virtual machine setup"`,
} as const;
