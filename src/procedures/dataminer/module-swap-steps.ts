// The module swap's steps, in the MOP's order ("Downgrading a DMS", step 3, on each DMA): stop DataMiner, check which
// module versions are installed, uninstall StorageModule ≥ 3.0.3 and UserDefinableApiEndpoint ≥ 2.0.0, reinstall the
// highest allowed versions from Tools\ModuleInstallers, start DataMiner. When it applies is decided in module-swap.ts;
// what each Agent uninstalls and reinstalls in module-installers.ts.
import type { Step, StepInstance } from '../../core/plan';
import { SWAP_RULES, type AgentSwapPlan } from './module-installers';
import { SRC } from './sources';
import { absentCode, MIN, OFFLINE_AGENT, READ_TIMEOUT, regexEscape, ssh, WORK_DIR, manualStep, type AgentTarget } from './step-builders';
import * as win from '../../core/dataminer/windows-commands';

export function swapSteps(plans: AgentSwapPlan[], targetsByName: Map<string, AgentTarget>): Step[] {
  const steps: Step[] = [];
  const t = (p: AgentSwapPlan): AgentTarget => targetsByName.get(p.agent.agent.name) as AgentTarget;
  const logPath = (kind: string, slug: string, version: string): string => win.join(WORK_DIR, `${kind}-${slug}-${version}.log`);
  steps.push({
    id: 'swap-stop-dataminer',
    title: 'Stop DataMiner on each Agent (module swap)',
    source: SRC.swapStop,
    kind: 'ssh',
    destructive: true,
    idempotent: true,
    timeoutMs: 15 * MIN,
    instances: plans.map((p) => ({
      instance: p.agent.agent.name,
      action: ssh(t(p), win.taskbar('stop', t(p).paths, t(p).shell)),
      verify: { description: 'SLNet is stopped', action: ssh(t(p), win.listServices(['SLNet'], t(p).shell)), expectOutput: '^"SLNet","Stopped"' },
    })),
  });
  steps.push({
    id: 'swap-check-modules',
    title: 'Check which StorageModule and UserDefinableApiEndpoint versions are installed',
    source: SRC.swapCheck,
    kind: 'ssh',
    destructive: false,
    idempotent: true,
    timeoutMs: READ_TIMEOUT,
    instances: plans.map((p) => {
      const codes = p.actions.flatMap((a) => a.uninstall.map((u) => u.productCode));
      const inst: StepInstance = { instance: p.agent.agent.name, action: ssh(t(p), win.listInstalledPrograms(t(p).shell)) };
      if (codes.length > 0) {
        inst.verify = {
          description: `still installed as planned: ${p.actions.flatMap((a) => a.uninstall.map((u) => `${u.module} ${u.version}`)).join(', ')}`,
          action: ssh(t(p), win.listInstalledPrograms(t(p).shell)),
          expectOutput: `^(?<![\\s\\S])${codes.map((c) => `(?=[\\s\\S]*${regexEscape(c)})`).join('')}`,
        };
      }
      return inst;
    }),
  });
  for (const rule of SWAP_RULES) {
    const most = Math.max(0, ...plans.map((p) => p.actions.find((a) => a.rule === rule)?.uninstall.length ?? 0));
    for (let k = 0; k < most; k++) {
      const instances: StepInstance[] = [];
      for (const p of plans) {
        const u = p.actions.find((a) => a.rule === rule)?.uninstall[k];
        if (u === undefined) continue;
        instances.push({
          instance: p.agent.agent.name,
          action: ssh(t(p), win.uninstallMsi(u.productCode, logPath('uninstall', rule.slug, u.version), t(p).shell)),
          verify: { description: `${u.module} ${u.version} (${u.productCode}) is no longer installed`, action: ssh(t(p), win.listInstalledPrograms(t(p).shell)), expectOutput: absentCode(u.productCode) },
        });
      }
      steps.push({
        id: `swap-uninstall-${rule.slug}${k === 0 ? '' : `-${k + 1}`}`,
        title: `Uninstall ${rule.module} (${rule.uninstallFrom} or higher)`,
        source: rule.slug === 'storagemodule' ? SRC.swapUninstallStorage : SRC.swapUninstallApi,
        kind: 'ssh',
        destructive: true,
        // msiexec /x of a product already removed fails (1605): the verification decides after an interruption.
        idempotent: false,
        timeoutMs: 15 * MIN,
        instances,
      });
    }
  }
  for (const rule of SWAP_RULES) {
    steps.push({
      id: `swap-install-${rule.slug}`,
      title: `Reinstall ${rule.module} (${rule.reinstallAtMost} or lower) from ModuleInstallers`,
      source: rule.slug === 'storagemodule' ? SRC.swapInstallStorage : SRC.swapInstallApi,
      kind: 'ssh',
      destructive: true,
      idempotent: false,
      timeoutMs: 15 * MIN,
      instances: plans.map((p) => {
        const a = p.actions.find((x) => x.rule === rule);
        if (a === undefined) throw new Error(`no swap action for ${rule.module}`);
        return {
          instance: p.agent.agent.name,
          action: ssh(t(p), win.installMsi(a.install.path, logPath('install', rule.slug, a.install.version), t(p).shell)),
          verify: {
            description: `${rule.module} ${a.install.version} is installed`,
            action: ssh(t(p), win.listInstalledPrograms(t(p).shell)),
            expectOutput: `^"${regexEscape(rule.module)}","${regexEscape(a.install.version)}"`,
          },
        };
      }),
    });
  }
  steps.push({
    id: 'swap-start-dataminer',
    title: 'Start DataMiner on each Agent and verify it runs',
    source: SRC.swapStart,
    kind: 'ssh',
    destructive: false,
    idempotent: true,
    timeoutMs: 30 * MIN,
    instances: plans.map((p) => ({
      instance: p.agent.agent.name,
      action: ssh(t(p), win.taskbar('start', t(p).paths, t(p).shell)),
      verify: {
        description: 'SLNet and SLWatchdog are running',
        action: ssh(t(p), win.listServices(['SLNet', 'SLWatchdog'], t(p).shell)),
        expectOutput: '^(?<![\\s\\S])(?=[\\s\\S]*^"SLNet","Running")(?=[\\s\\S]*^"SLWatchdog","Running")',
      },
    })),
  });
  return steps;
}

/** The swap steps of an offline plan: what will be done, decided from each Agent's facts when planned for a DMS. */
export function offlineSwapStep(): Step {
  const instructions =
    'Decided per Agent when planned against the DMS: stop DataMiner; uninstall DataMiner StorageModule 3.0.3 or higher and ' +
    'DataMiner UserDefinableApiEndpoint 2.0.0 or higher (msiexec /x, after checking which versions are installed); reinstall the ' +
    'highest StorageModule 1.0.1 or lower and UserDefinableApiEndpoint 1.1.1 or lower from C:\\Skyline DataMiner\\Tools\\ModuleInstallers ' +
    '(refused before any change if an Agent has none); start DataMiner and verify it runs.';
  return manualStep('module-swap', 'Module swap on each Agent', `${SRC.swapStop} … ${SRC.swapStart}`, instructions, { destructive: true, idempotent: false, timeoutMs: 60 * MIN, instance: OFFLINE_AGENT.name });
}
