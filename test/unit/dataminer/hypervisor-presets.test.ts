import * as assert from 'assert';
import { DowngradeInputError } from '../../../src/procedures/dataminer/errors';
import { HYPERVISOR_KINDS, PRESETS, renderHypervisorAction, templateProblem } from '../../../src/procedures/dataminer/hypervisor-presets';
import { decodeLine } from '../../../src/procedures/dataminer/windows-commands';

describe('hypervisor presets', () => {
  it('has list, stop, revert, start and state templates for Hyper-V, libvirt, VMware and Proxmox', () => {
    assert.deepStrictEqual([...HYPERVISOR_KINDS].sort(), ['hyperv', 'libvirt', 'proxmox', 'vmware']);
    for (const k of HYPERVISOR_KINDS) for (const op of ['list', 'stop', 'revert', 'start', 'state'] as const) assert.strictEqual(templateProblem(op, PRESETS[k].templates[op]), undefined, `${k} ${op}`);
  });

  it('runs argv templates locally with each value as one argument, whatever it contains', () => {
    const a = renderHypervisorAction(PRESETS.libvirt, PRESETS.libvirt.templates.revert, 'revert', { vm: 'dma 01; rm -rf /', snapshot: "pre '$(x)' {vm}" }, { where: 'local' });
    assert.deepStrictEqual(a, { kind: 'local', argv: ['virsh', 'snapshot-revert', 'dma 01; rm -rf /', "pre '$(x)' {vm}"] });
  });

  it('quotes argv templates for the hypervisor host\'s shell over SSH', () => {
    const a = renderHypervisorAction(PRESETS.proxmox, PRESETS.proxmox.templates.revert, 'revert', { vm: '101', snapshot: "it's" }, { where: 'ssh', host: 'pve1', shell: 'cmd' });
    assert.deepStrictEqual(a, { kind: 'ssh', host: 'pve1', command: "qm rollback 101 'it'\\''s'" });
  });

  it('renders Hyper-V templates as PowerShell with single-quoted literals, locally or over SSH', () => {
    const ssh = renderHypervisorAction(PRESETS.hyperv, PRESETS.hyperv.templates.revert, 'revert', { vm: "DMA'01", snapshot: 'pre $(x)' }, { where: 'ssh', host: 'hv1', shell: 'powershell' });
    assert.ok(ssh.kind === 'ssh');
    assert.match(decodeLine(ssh.command) ?? '', /Restore-VMSnapshot -VMName 'DMA''01' -Name 'pre \$\(x\)' -Confirm:\$false/);
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
