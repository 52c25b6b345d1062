import * as assert from 'assert';
import { DowngradeInputError } from '../../../src/procedures/dataminer/errors';
import { HYPERVISOR_KINDS, PRESETS, renderHypervisorAction, templateProblem } from '../../../src/procedures/dataminer/hypervisor-presets';
import { decodeLine } from '../../../src/core/dataminer/windows-commands';

describe('hypervisor presets', () => {
  it('has list, stop, revert, start and state templates for Hyper-V, libvirt, VMware and Proxmox', () => {
    assert.deepStrictEqual([...HYPERVISOR_KINDS].sort(), ['hyperv', 'libvirt', 'proxmox', 'vmware']);
    for (const k of HYPERVISOR_KINDS) for (const op of ['list', 'stop', 'revert', 'start', 'state'] as const) assert.strictEqual(templateProblem(op, PRESETS[k].templates[op], PRESETS[k].syntax), undefined, `${k} ${op}`);
  });

  it('runs argv templates locally with each value as one argument, whatever it contains', () => {
    const a = renderHypervisorAction(PRESETS.libvirt, PRESETS.libvirt.templates.revert, 'revert', { vm: 'dma 01; rm -rf /', snapshot: "pre '$(x)' {vm}" }, { where: 'local' });
    assert.deepStrictEqual(a, { kind: 'local', argv: ['virsh', 'snapshot-revert', '--', 'dma 01; rm -rf /', "pre '$(x)' {vm}"] });
  });

  it('quotes argv templates for a POSIX shell on the hypervisor host', () => {
    const a = renderHypervisorAction(PRESETS.proxmox, PRESETS.proxmox.templates.revert, 'revert', { vm: '101', snapshot: "it's" }, { where: 'ssh', host: 'pve1', shell: 'posix' });
    assert.deepStrictEqual(a, { kind: 'ssh', host: 'pve1', command: "qm rollback 101 'it'\\''s'" });
  });

  for (const shell of ['cmd', 'powershell'] as const) {
    it(`sends argv templates to a Windows host whose shell is ${shell} as an encoded PowerShell command, every word a literal`, () => {
      const a = renderHypervisorAction(PRESETS.vmware, PRESETS.vmware.templates.revert, 'revert', { vm: 'dma-01', snapshot: 'pre-upgrade&calc' }, { where: 'ssh', host: 'vc1', shell });
      assert.ok(a.kind === 'ssh');
      assert.doesNotMatch(a.command, /calc/, 'nothing of the value is visible to cmd.exe or PowerShell parsing the line');
      assert.equal(decodeLine(a.command)?.includes("& 'govc' 'snapshot.revert' '-vm' 'dma-01' '--' 'pre-upgrade&calc'\nexit $LASTEXITCODE"), true, decodeLine(a.command));
    });
  }

  it('refuses wildcards and a leading "-" in VM and snapshot names, before anything runs', () => {
    const cases: Array<[keyof typeof PRESETS, string, string | undefined]> = [
      ['hyperv', 'DMA*', undefined],
      ['vmware', '*', undefined],
      ['libvirt', 'dma-01', '--help'],
      ['libvirt', '-x', undefined],
      ['hyperv', 'DMA[12]', undefined],
      ['hyperv', 'DMA`*', undefined],
      ['vmware', 'dma-0?', undefined],
    ];
    for (const [kind, vm, snapshot] of cases) {
      const op = snapshot === undefined ? 'stop' : 'revert';
      assert.throws(
        () => renderHypervisorAction(PRESETS[kind], PRESETS[kind].templates[op], op, { vm, ...(snapshot === undefined ? {} : { snapshot }) }, { where: 'local' }),
        (e: Error) => e instanceof DowngradeInputError && /wildcard|starts with "-"/.test(e.message),
        `${kind} ${vm} ${snapshot ?? ''}`,
      );
    }
  });

  it('ends the options with -- before names for virsh and govc', () => {
    for (const kind of ['libvirt', 'vmware'] as const) {
      for (const op of ['stop', 'revert', 'start', 'state'] as const) {
        const a = renderHypervisorAction(PRESETS[kind], PRESETS[kind].templates[op], op, { vm: 'vm1', snapshot: 's1' }, { where: 'local' });
        assert.ok(a.kind === 'local');
        const dashes = a.argv.indexOf('--');
        const last = a.argv[a.argv.length - 1] as string;
        assert.ok(dashes > 0 && a.argv.indexOf(last) > dashes, `${kind} ${op}: ${a.argv.join(' ')}`);
      }
    }
  });

  it('looks a Hyper-V VM and snapshot up by exact name and acts on the one found', () => {
    const a = renderHypervisorAction(PRESETS.hyperv, PRESETS.hyperv.templates.revert, 'revert', { vm: 'DMA01', snapshot: 'pre' }, { where: 'ssh', host: 'hv1', shell: 'cmd' });
    assert.ok(a.kind === 'ssh');
    const script = decodeLine(a.command) ?? '';
    assert.match(script, /\$vm = @\(Get-VM -Name 'DMA01' \| Where-Object Name -eq 'DMA01'\); if \(\$vm\.Count -ne 1\) \{ throw/);
    assert.match(script, /Restore-VMSnapshot -VMSnapshot \$snap\[0\] -Confirm:\$false/);
    assert.doesNotMatch(script, /-Name \{|Stop-VM -Name/);
  });

  it('refuses PowerShell templates that put {vm} or {snapshot} inside quotes, saying why', () => {
    for (const t of ['Stop-VM -Name "{vm}" -Force', "Stop-VM -Name '{vm}'", 'Write-Host \u201cVM {vm}\u201d; Stop-VM {vm}', 'Start-VM -Name "x$({vm})"']) {
      assert.match(templateProblem('stop', t, 'powershell') ?? '', /inside (double|single) quotes/, t);
      assert.throws(() => renderHypervisorAction(PRESETS.hyperv, t, 'stop', { vm: 'x' }, { where: 'local' }), DowngradeInputError, t);
    }
    assert.equal(templateProblem('stop', "Write-Host 'it''s' {vm}; Stop-VM -Name {vm} -Force", 'powershell'), undefined);
    assert.equal(templateProblem('stop', "Write-Host \"a `\" b\" {vm}", 'powershell'), undefined);
  });

  it('refuses Hyper-V over SSH with a POSIX shell: the host is Windows', () => {
    assert.throws(() => renderHypervisorAction(PRESETS.hyperv, PRESETS.hyperv.templates.stop, 'stop', { vm: 'x' }, { where: 'ssh', host: 'hv', shell: 'posix' }), /set hypervisorShell to cmd or powershell/);
  });

  it('renders Hyper-V templates as PowerShell with single-quoted literals, locally or over SSH', () => {
    const ssh = renderHypervisorAction(PRESETS.hyperv, PRESETS.hyperv.templates.revert, 'revert', { vm: "DMA'01", snapshot: 'pre $(x)' }, { where: 'ssh', host: 'hv1', shell: 'powershell' });
    assert.ok(ssh.kind === 'ssh');
    assert.match(decodeLine(ssh.command) ?? '', /Get-VM -Name 'DMA''01' \| Where-Object Name -eq 'DMA''01'.*Where-Object Name -eq 'pre \$\(x\)'/);
    const local = renderHypervisorAction(PRESETS.hyperv, PRESETS.hyperv.templates.stop, 'stop', { vm: 'DMA01' }, { where: 'local' });
    assert.ok(local.kind === 'local' && local.argv[0] === 'powershell.exe' && local.argv.includes('-EncodedCommand'));
  });

  it('checks edited templates: known placeholders only, {vm} always, {snapshot} for revert', () => {
    assert.match(templateProblem('revert', 'virsh snapshot-revert {vm}') ?? '', /\{snapshot\}/);
    assert.match(templateProblem('stop', 'virsh destroy {name}') ?? '', /unknown placeholder/);
    assert.match(templateProblem('start', 'virsh start') ?? '', /\{vm\}/);
    assert.throws(() => renderHypervisorAction(PRESETS.libvirt, 'virsh start', 'start', { vm: 'x' }, { where: 'local' }), DowngradeInputError);
    assert.throws(() => renderHypervisorAction(PRESETS.libvirt, 'virsh start {vm}', 'start', { vm: 'x\ny' }, { where: 'local' }), DowngradeInputError);
  });
});
