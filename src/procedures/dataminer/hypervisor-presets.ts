// Hypervisor presets for route A: editable command templates for listing snapshots, powering a VM off, reverting it
// to a snapshot, powering it on and reading its power state. `{vm}` and `{snapshot}` are the placeholders. Templates
// run locally or over SSH on the hypervisor host; every value is passed as one argument (argv templates) or as a
// PowerShell single-quoted literal (Hyper-V), so a VM or snapshot name can never inject anything.
import type { CheckAction } from '../../core/plan';
import { renderArgv } from '../../core/shell-quote';
import { DowngradeInputError } from './errors';
import { psLiteral, renderLine, type DefaultShell } from './windows-commands';

export type HypervisorKind = 'hyperv' | 'libvirt' | 'vmware' | 'proxmox';
export const HYPERVISOR_KINDS: readonly HypervisorKind[] = ['hyperv', 'libvirt', 'vmware', 'proxmox'];
export type HypervisorOperation = 'list' | 'stop' | 'revert' | 'start' | 'state';
export const HYPERVISOR_OPERATIONS: readonly HypervisorOperation[] = ['list', 'stop', 'revert', 'start', 'state'];

export interface HypervisorPreset {
  kind: HypervisorKind;
  label: string;
  /** argv: whitespace-separated words, each one argument; powershell: a PowerShell script line. */
  syntax: 'argv' | 'powershell';
  templates: Record<HypervisorOperation, string>;
  /** What the `state` output shows for a VM that is off / running. */
  offPattern: string;
  runningPattern: string;
}

export const PRESETS: Readonly<Record<HypervisorKind, HypervisorPreset>> = {
  libvirt: {
    kind: 'libvirt',
    label: 'libvirt (virsh)',
    syntax: 'argv',
    templates: {
      list: 'virsh snapshot-list {vm}',
      stop: 'virsh destroy {vm}',
      revert: 'virsh snapshot-revert {vm} {snapshot}',
      start: 'virsh start {vm}',
      state: 'virsh domstate {vm}',
    },
    offPattern: '^shut off',
    runningPattern: '^running',
  },
  proxmox: {
    kind: 'proxmox',
    label: 'Proxmox VE (qm)',
    syntax: 'argv',
    templates: {
      list: 'qm listsnapshot {vm}',
      stop: 'qm stop {vm}',
      revert: 'qm rollback {vm} {snapshot}',
      start: 'qm start {vm}',
      state: 'qm status {vm}',
    },
    offPattern: 'status: stopped',
    runningPattern: 'status: running',
  },
  vmware: {
    kind: 'vmware',
    label: 'VMware vSphere (govc)',
    syntax: 'argv',
    templates: {
      list: 'govc snapshot.tree -vm {vm} -D',
      stop: 'govc vm.power -off -force {vm}',
      revert: 'govc snapshot.revert -vm {vm} {snapshot}',
      start: 'govc vm.power -on {vm}',
      state: 'govc vm.info {vm}',
    },
    offPattern: 'poweredOff',
    runningPattern: 'poweredOn',
  },
  hyperv: {
    kind: 'hyperv',
    label: 'Hyper-V (PowerShell)',
    syntax: 'powershell',
    templates: {
      list: "Get-VMSnapshot -VMName {vm} | Select-Object Name, @{Name='CreationTime';Expression={$_.CreationTime.ToUniversalTime().ToString('o')}} | ConvertTo-Csv -NoTypeInformation",
      stop: 'Stop-VM -Name {vm} -TurnOff -Force',
      revert: 'Restore-VMSnapshot -VMName {vm} -Name {snapshot} -Confirm:$false',
      start: 'Start-VM -Name {vm}',
      state: '(Get-VM -Name {vm}).State',
    },
    offPattern: '^Off',
    runningPattern: '^Running',
  },
};

/** Where hypervisor commands run: on this machine, or over SSH on the hypervisor host. */
export type HypervisorPlace = { where: 'local' } | { where: 'ssh'; host: string; shell: DefaultShell };

const CONTROL = /[\u0000-\u001f\u007f]/;

function checkValue(what: string, value: string): string {
  if (value === '' || CONTROL.test(value)) throw new DowngradeInputError(`The ${what} "${value}" is empty or contains control characters; fix it and plan again.`);
  return value;
}

/** Checks a user-edited template: known placeholders only, and the ones the operation needs. */
export function templateProblem(op: HypervisorOperation, template: string): string | undefined {
  if (template.trim() === '') return `the ${op} template is empty`;
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).filter((n) => n !== 'vm' && n !== 'snapshot');
  // PowerShell script blocks use braces too; only {word} forms that look like placeholders are checked.
  const suspicious = unknown.filter((n): n is string => n !== undefined && /^[A-Za-z_]+$/.test(n));
  if (suspicious.length > 0) return `the ${op} template uses unknown placeholder(s) ${suspicious.map((n) => `{${n}}`).join(', ')}; use {vm} and {snapshot}`;
  if (!template.includes('{vm}')) return `the ${op} template must contain {vm}`;
  if (op === 'revert' && !template.includes('{snapshot}')) return 'the revert template must contain {snapshot}';
  return undefined;
}

export function renderHypervisorAction(
  preset: HypervisorPreset,
  template: string,
  op: HypervisorOperation,
  values: { vm: string; snapshot?: string },
  place: HypervisorPlace,
): CheckAction {
  const problem = templateProblem(op, template);
  if (problem !== undefined) throw new DowngradeInputError(`${preset.label}: ${problem}.`);
  const vm = checkValue('VM name', values.vm);
  const snapshot = values.snapshot === undefined ? undefined : checkValue('snapshot name', values.snapshot);
  if (preset.syntax === 'powershell') {
    // One pass with a replacer function: a value containing $&, $1 or {snapshot} is inserted as it is.
    const body = template.replace(/\{(vm|snapshot)\}/g, (_m, name: string) => (name === 'vm' ? psLiteral(vm) : snapshot === undefined ? "''" : psLiteral(snapshot)));
    if (place.where === 'ssh') return { kind: 'ssh', host: place.host, command: renderLine(`hyperv-${op}`, body, place.shell).line };
    const encoded = Buffer.from(`$ErrorActionPreference = 'Stop'\n${body}`, 'utf16le').toString('base64');
    return { kind: 'local', argv: ['powershell.exe', '-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand', encoded] };
  }
  const argv = template
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/\{(vm|snapshot)\}/g, (_m, name: string) => (name === 'vm' ? vm : (snapshot ?? ''))));
  if (place.where === 'ssh') return { kind: 'ssh', host: place.host, command: renderArgv(argv) };
  return { kind: 'local', argv };
}
