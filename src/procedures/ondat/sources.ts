// The vendor passages (docs/operations/downgrade-ondat-2.7-to-2.6.md) each step implements, quoted once.
export const SOURCES = {
  prereqScaleDown: 'Prerequisites: "Make sure all workloads using Ondat volumes are scaled down to zero."',
  prereqBackup: 'Prerequisites: "Recommended: While the procedure is safe, it is recommended that a backup of important stateful application is kept before performing the downgrade."',
  prereqCliTool: 'Prerequisites: "Update the CLI_TOOL variable if you do not have access to kubectl."',
  step1: 'Step 1 - Uninstall Ondat v2.7.0, as if you are starting an upgrade',
  step1DeleteCr: 'Step 1.1: "Delete your storageoscluster CR"',
  step1DeleteOperator: 'Step 1.2: "Delete your storageos operator deployment"',
  step1Etcd: 'Step 1.3: "Make sure to leave your Ondat etcd alone"',
  step2: 'Step 2 - Run our downgrade script: "This will create a DaemonSet to downgrade our internal data store on each of your nodes. The Daemonset will delete itself afterwards."',
  step2Idempotent: 'Prerequisites: "The tool is idempotent so in the case of interruption it can be safely run multiple times."',
  step3: 'Step 3 - Install Ondat v2.6.0: "You will now be able to use Ondat v2.6.0."',
} as const;
