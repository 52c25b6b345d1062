// Hypervisor presets for route A: editable command templates for listing snapshots, powering a VM off, reverting it
// to a snapshot, powering it on and reading its power state. `{vm}` and `{snapshot}` are the placeholders. Templates
// run locally or over SSH on the hypervisor host; every value is passed as one argument (argv templates) or as a
// PowerShell single-quoted literal (Hyper-V), so a VM or snapshot name can never inject anything. Names are used
// exactly: wildcard characters and a leading "-" are refused (Hyper-V's -Name, govc's paths take wildcards; virsh
// and govc read "-x" as an option), `--` ends the options where the tool reads it, and the Hyper-V presets look the
// VM (and snapshot) up by exact name and act on the one found.
import type { CheckAction } from '../../core/plan';
import { renderArgv } from '../../core/shell-quote';
import { DowngradeInputError } from './errors';
import { psLiteral, renderLine, type DefaultShell } from '../../core/dataminer/windows-commands';

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

/** The Hyper-V VM named exactly {vm}, as $vm[0]; none or several of that name stop the command. */
const HYPERV_ONE_VM =
  "$vm = @(Get-VM -Name {vm} | Where-Object Name -eq {vm}); if ($vm.Count -ne 1) { throw ('Hyper-V has ' + $vm.Count + ' VMs named ' + {vm} + '; exactly one is needed') }";

export const PRESETS: Readonly<Record<HypervisorKind, HypervisorPreset>> = {
  libvirt: {
    kind: 'libvirt',
    label: 'libvirt (virsh)',
    syntax: 'argv',
    // virsh reads "--" as the end of a command's options (libvirt tools/vsh.c, vshCommandParse), so a name is data.
    templates: {
      list: 'virsh snapshot-list -- {vm}',
      stop: 'virsh destroy -- {vm}',
      revert: 'virsh snapshot-revert -- {vm} {snapshot}',
      start: 'virsh start -- {vm}',
      state: 'virsh domstate -- {vm}',
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
    // govc parses flags with Go's flag package, which stops at "--" (pkg.go.dev/flag: "Flag parsing stops ... after
    // the terminator \"--\""); -vm takes its value as one argument, so it needs none.
    templates: {
      list: 'govc snapshot.tree -vm {vm} -D',
      stop: 'govc vm.power -off -force -- {vm}',
      revert: 'govc snapshot.revert -vm {vm} -- {snapshot}',
      start: 'govc vm.power -on -- {vm}',
      state: 'govc vm.info -- {vm}',
    },
    offPattern: 'poweredOff',
    runningPattern: 'poweredOn',
  },
  hyperv: {
    kind: 'hyperv',
    label: 'Hyper-V (PowerShell)',
    syntax: 'powershell',
    // -Name and -VMName take wildcards (learn.microsoft.com/powershell/module/hyper-v/get-vm: "-Name ... Wildcards:
    // true"): each template looks the VM up, keeps the exact name, and acts on that one VM object only.
    templates: {
      list: `${HYPERV_ONE_VM}; Get-VMSnapshot -VM $vm[0] | Select-Object Name, @{Name='CreationTime';Expression={$_.CreationTime.ToUniversalTime().ToString('o')}} | ConvertTo-Csv -NoTypeInformation`,
      stop: `${HYPERV_ONE_VM}; Stop-VM -VM $vm[0] -TurnOff -Force`,
      revert:
        `${HYPERV_ONE_VM}; $snap = @(Get-VMSnapshot -VM $vm[0] | Where-Object Name -eq {snapshot}); ` +
        "if ($snap.Count -ne 1) { throw ('VM ' + {vm} + ' has ' + $snap.Count + ' snapshots named ' + {snapshot} + '; exactly one is needed') }; " +
        'Restore-VMSnapshot -VMSnapshot $snap[0] -Confirm:$false',
      start: `${HYPERV_ONE_VM}; Start-VM -VM $vm[0]`,
      state: `${HYPERV_ONE_VM}; $vm[0].State`,
    },
    offPattern: '^Off',
    runningPattern: '^Running',
  },
};

/** The shell of the hypervisor host's SSH server: a POSIX shell (Linux, ESXi) or Windows OpenSSH's DefaultShell. */
export type HypervisorShell = 'posix' | DefaultShell;

/** Where hypervisor commands run: on this machine, or over SSH on the hypervisor host. */
export type HypervisorPlace = { where: 'local' } | { where: 'ssh'; host: string; shell: HypervisorShell };

const CONTROL = /[\u0000-\u001f\u007f]/;
/** Wildcards of Hyper-V's -Name (* ? [ ] and the ` escape) and of govc's inventory paths (Go path.Match). */
const WILDCARD = /[*?[\]`]/;

function checkValue(preset: HypervisorPreset, what: string, value: string, place: HypervisorPlace): string {
  if (value === '' || CONTROL.test(value)) throw new DowngradeInputError(`The ${what} "${value}" is empty or contains control characters; fix it and plan again.`);
  if (value.startsWith('-')) {
    throw new DowngradeInputError(`The ${what} "${value}" starts with "-", which ${preset.label} would read as an option; rename it in the hypervisor, then plan again.`);
  }
  if (WILDCARD.test(value)) {
    throw new DowngradeInputError(
      `The ${what} "${value}" contains a wildcard character (* ? [ ] \`), which ${preset.label} would match against other names; give the exact name (rename it in the hypervisor if it really has one).`,
    );
  }
  // Windows PowerShell 5.1 passes an argument with a double quote to a program without escaping it.
  if (preset.syntax === 'argv' && place.where === 'ssh' && place.shell !== 'posix' && value.includes('"')) {
    throw new DowngradeInputError(`The ${what} "${value}" contains a double quote, which cannot be passed safely to ${preset.label} on a Windows host; rename it, then plan again.`);
  }
  return value;
}

const SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b";
const DOUBLE_QUOTES = '"\u201c\u201d\u201e';

/**
 * Placeholders a PowerShell template puts inside quotes. In double quotes PowerShell expands $(...) in the value; in
 * single quotes the value's own quoting ends the string. Both would let a name run code, so such templates are refused.
 * PowerShell reads the typographic quotes as quotes too (about_Quoting_Rules).
 */
function quotedPlaceholders(template: string): string[] {
  const found: string[] = [];
  let state: 'code' | 'single' | 'double' = 'code';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    const next = template[i + 1] ?? '';
    const placeholder = /^\{(vm|snapshot)\}/.exec(template.slice(i))?.[0];
    if (placeholder !== undefined && state !== 'code') found.push(`${placeholder} inside ${state} quotes`);
    if (state === 'code') {
      if (ch === '`') i++;
      else if (SINGLE_QUOTES.includes(ch)) state = 'single';
      else if (DOUBLE_QUOTES.includes(ch)) state = 'double';
    } else if (state === 'single') {
      if (SINGLE_QUOTES.includes(ch)) {
        if (SINGLE_QUOTES.includes(next) && next !== '') i++;
        else state = 'code';
      }
    } else if (ch === '`') i++;
    else if (DOUBLE_QUOTES.includes(ch)) {
      if (DOUBLE_QUOTES.includes(next) && next !== '') i++;
      else state = 'code';
    }
  }
  return found;
}

/** Checks a user-edited template: known placeholders only, the ones the operation needs, none inside PowerShell quotes. */
export function templateProblem(op: HypervisorOperation, template: string, syntax: HypervisorPreset['syntax'] = 'argv'): string | undefined {
  if (template.trim() === '') return `the ${op} template is empty`;
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).filter((n) => n !== 'vm' && n !== 'snapshot');
  // PowerShell script blocks use braces too; only {word} forms that look like placeholders are checked.
  const suspicious = unknown.filter((n): n is string => n !== undefined && /^[A-Za-z_]+$/.test(n));
  if (suspicious.length > 0) return `the ${op} template uses unknown placeholder(s) ${suspicious.map((n) => `{${n}}`).join(', ')}; use {vm} and {snapshot}`;
  if (!template.includes('{vm}')) return `the ${op} template must contain {vm}`;
  if (op === 'revert' && !template.includes('{snapshot}')) return 'the revert template must contain {snapshot}';
  if (syntax === 'powershell') {
    if (/@["'\u201c\u201d\u201e\u2018\u2019]/.test(template)) return `the ${op} template uses a here-string (@" or @'); write it on one line without one`;
    const quoted = quotedPlaceholders(template);
    if (quoted.length > 0) {
      return `the ${op} template puts ${quoted.join(', ')}; Backout inserts each value as a quoted PowerShell literal itself, so write {vm} and {snapshot} outside quotes (e.g. ('VM ' + {vm}))`;
    }
  }
  return undefined;
}

export function renderHypervisorAction(
  preset: HypervisorPreset,
  template: string,
  op: HypervisorOperation,
  values: { vm: string; snapshot?: string },
  place: HypervisorPlace,
): CheckAction {
  const problem = templateProblem(op, template, preset.syntax);
  if (problem !== undefined) throw new DowngradeInputError(`${preset.label}: ${problem}.`);
  const vm = checkValue(preset, 'VM name', values.vm, place);
  const snapshot = values.snapshot === undefined ? undefined : checkValue(preset, 'snapshot name', values.snapshot, place);
  if (preset.syntax === 'powershell') {
    // One pass with a replacer function: a value containing $&, $1 or {snapshot} is inserted as it is.
    const body = template.replace(/\{(vm|snapshot)\}/g, (_m, name: string) => (name === 'vm' ? psLiteral(vm) : snapshot === undefined ? "''" : psLiteral(snapshot)));
    if (place.where === 'ssh') {
      if (place.shell === 'posix') {
        throw new DowngradeInputError(`${preset.label} runs on Windows: set hypervisorShell to cmd or powershell (the DefaultShell of the host's OpenSSH), not posix.`);
      }
      return { kind: 'ssh', host: place.host, command: renderLine(`hyperv-${op}`, body, place.shell).line };
    }
    const encoded = Buffer.from(`$ErrorActionPreference = 'Stop'\n${body}`, 'utf16le').toString('base64');
    return { kind: 'local', argv: ['powershell.exe', '-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand', encoded] };
  }
  const argv = template
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/\{(vm|snapshot)\}/g, (_m, name: string) => (name === 'vm' ? vm : (snapshot ?? ''))));
  if (place.where === 'local') return { kind: 'local', argv };
  if (place.shell === 'posix') return { kind: 'ssh', host: place.host, command: renderArgv(argv) };
  // A Windows host: cmd.exe would run `pre-upgrade&calc`. The argv goes as a PowerShell -EncodedCommand, each word a
  // single-quoted literal, so neither cmd.exe nor PowerShell reads anything in it.
  const body = `& ${argv.map(psLiteral).join(' ')}\nexit $LASTEXITCODE`;
  return { kind: 'ssh', host: place.host, command: renderLine(`hypervisor-${op}`, body, place.shell).line };
}
