// The Ondat line under a Kubernetes context in the Targets view: which Ondat version runs there, in which
// StorageOSCluster, or why it could not be read.
import * as vscode from 'vscode';
import type { OndatPresence } from '../../adapters/kube/ondat-presence';
import type { DetailStatus } from './procedure-ui';

export function ondatPresenceItem(context: string, st: DetailStatus<OndatPresence>): vscode.TreeItem {
  const state = st.state === 'read' ? (st.value.installed ? 'found' : 'absent') : st.state;
  const label =
    st.state === 'checking'
      ? 'Ondat: checking…'
      : st.state === 'error'
        ? 'Ondat: cannot read the cluster'
        : !st.value.installed
          ? 'No Ondat found'
          : `Ondat ${[...new Set(st.value.clusters.map((c) => c.version ?? 'version unknown'))].join(', ')}`;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `ondat:${context}`;
  if (st.state === 'read' && st.value.installed) item.description = st.value.clusters.map((c) => `${c.namespace}/${c.name}${c.phase ? ` (${c.phase})` : ''}`).join(', ');
  if (st.state === 'error') {
    item.description = st.error;
    item.tooltip = st.error;
  }
  item.iconPath = new vscode.ThemeIcon(st.state === 'checking' ? 'loading~spin' : st.state === 'error' ? 'warning' : 'database');
  item.contextValue = `backout.ondat ${state}`;
  return item;
}
