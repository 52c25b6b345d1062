// Route B, downgrade with DataMiner packages: one package per major version, newest first, each installed on the
// whole cluster through the Taskbar Utility with an UpgradeInfo.xml, followed until completed and verified on every
// Agent; then, when it applies, the module swap on each Agent; warnings the user acknowledges.
import type { JsonObject } from '../../core/json';
import type { PlanDraft, Step } from '../../core/plan';
import { CurrentCuQuestionError, DowngradeInputError, ModuleSwapQuestionError, PackageProblemError, agentLabel } from './errors';
import type { DmsFacts, PlannedAgentFacts } from './facts';
import { fileLength, fileLengthPattern } from './file-length';
import { planAgentSwap, type AgentSwapPlan } from './module-installers';
import { moduleSwapDecision } from './module-swap';
import { offlineSwapStep, swapSteps } from './module-swap-steps';
import { agentTargets, localStep, MIN, READ_TIMEOUT, regexEscape, ssh, waitStep, WORK_DIR, type AgentTarget } from './step-builders';
import { brokerGatewayProblem, NO_WAY_BACK_STATEMENT } from './broker-gateway';
import { backupStep, type BackupChoice } from './backup';
import { meetsNatsKnownIssue } from './nats-prerequisite';
import { DowngradeError, packageSequence, type PackageStep } from './package-sequence';
import type { PackageInspection, PackageTool } from '../../core/dataminer/package-tool';
import { fixedCopyPath, packageFileName, type PackageSource } from './packages';
import { SRC } from './sources';
import { estimateJson, packageRouteEstimate } from './time-estimates';
import { formatVersion, parseVersion, releaseKind, type DmVersion } from './version';
import * as win from '../../core/dataminer/windows-commands';
import { acknowledgeWarningsStep, credentialsLibraryStep, webAppsStep, DOWNGRADE_WARNINGS } from './warnings';

export type Choice = 'auto' | 'yes' | 'no';
export type UpgradeScope = 'cluster' | 'each-agent';

export interface PackageRouteInput {
  dms: string;
  from: DmVersion;
  to: DmVersion;
  /** Undefined when planning offline (no target). */
  facts?: DmsFacts;
  packages: PackageSource[];
  /** Inspection results of the local packages, by path. */
  inspections: Readonly<Record<string, PackageInspection>>;
  tool?: PackageTool;
  moduleSwap: Choice;
  fixPrerequisite: Choice;
  upgradeScope: UpgradeScope;
  upgradeTimeoutMinutes: number;
  /** The user's acknowledgement that the old NATS setup cannot come back (10.6.0/10.6.1+ to before BrokerGateway). */
  acknowledgeNoNatsRollback: boolean;
  /** The upgrade MOP's backup before the first package: taken here, shown by evidence, or skipped with a reason. */
  backup: BackupChoice;
}

/**
 * VersionHistory.txt whose last line is the given version, as Agents write it: a build string whose fourth number is
 * not the CU. With `build` (a package that revealed its build string) that exact build number; otherwise any build of
 * the release whose `-CUn` suffix, where there is one, names the wanted CU (`anyCu`: any CU of the release).
 */
export function lastVersionPattern(v: DmVersion, anyCu: boolean, build?: number): string {
  const release = `;${v.major}\\.${v.minor}\\.${v.release}\\.\\d+`;
  const end = '[^\\r\\n]*\\s*(?![\\s\\S])';
  if (build !== undefined) return `${release}-${build}(?!\\d)${end}`;
  if (anyCu) return `${release}(?:-${end}|\\s*(?![\\s\\S]))`;
  return `${release}(?:-(?![^\\r\\n]*-CU(?!${v.cu}(?!\\d))\\d)${end}|\\s*(?![\\s\\S]))`;
}

interface ResolvedPackage {
  step: PackageStep;
  source: PackageSource;
  /** The file the run uploads or uses (the fixed copy when the prerequisite fix applies). */
  sendPath: string;
  /** Path of the package on the Agents. */
  agentPath: string;
  fixed: boolean;
  /** The known issue applies to this package (fixed or not). */
  natsIssue: boolean;
  inspection?: PackageInspection;
}

/** The version the DMA runs when package `index` is installed: the current one, then each package's in turn. */
function runningWhenInstalled(input: PackageRouteInput, sequence: PackageStep[], index: number): DmVersion {
  return index === 0 ? input.from : (sequence[index - 1] as PackageStep).version;
}

function checkRevealedVersion(step: PackageStep, index: number, source: PackageSource, inspection: PackageInspection | undefined): void {
  if (inspection?.version === undefined) return;
  let revealed: DmVersion;
  try {
    revealed = parseVersion(inspection.version);
  } catch {
    return;
  }
  const want = step.version;
  const sameMajor = revealed.major === want.major && revealed.minor === want.minor;
  const sameRelease = sameMajor && revealed.release === want.release;
  const ok = step.final ? sameRelease && (want.cu === 0 || revealed.cu === want.cu) : sameMajor && revealed.release === 0;
  if (!ok) {
    throw new PackageProblemError(
      source.path,
      `it installs ${formatVersion(revealed)} (${inspection.versionSource ?? 'from its contents'}), but package ${index + 1} of the sequence must install ${step.label}`,
      'Choose the packages in this order: one per major version, newest first, the target version last.',
    );
  }
}

function resolvePackages(input: PackageRouteInput, sequence: PackageStep[], warnings: string[]): ResolvedPackage[] {
  const offline = input.facts === undefined;
  if (input.packages.length === 0) {
    if (!offline) {
      throw new DowngradeInputError(
        `DMS ${input.dms}: choose the upgrade packages to install, in this order: ${sequence.map((s) => s.label).join(', ')} ` +
          '(--param packages="<file>;<file>", or agent:C:\\... for a package already on every Agent).',
      );
    }
    warnings.push(`No packages chosen yet: the plan assumes files named "DataMiner <version>.dmupgrade" already on the Agents; choose ${sequence.map((s) => s.label).join(', ')}.`);
    return sequence.map((step, i) => {
      const agentPath = win.join(win.upgradesDir(win.DEFAULT_AGENT_PATHS), `DataMiner ${step.version.major}.${step.version.minor}.${step.version.release}.dmupgrade`);
      return { step, source: { where: 'agent', path: agentPath }, sendPath: agentPath, agentPath, fixed: false, natsIssue: natsIssueAt(input, sequence, i) };
    });
  }
  if (input.packages.length !== sequence.length) {
    throw new DowngradeInputError(
      `${formatVersion(input.from)} → ${formatVersion(input.to)} installs ${sequence.length} package${sequence.length === 1 ? '' : 's'} (${sequence.map((s) => s.label).join(', ')}), ` +
        `but ${input.packages.length} ${input.packages.length === 1 ? 'was' : 'were'} given. Give one package per version, in that order.`,
    );
  }
  return sequence.map((step, i) => {
    const source = input.packages[i] as PackageSource;
    if (source.where === 'agent') {
      // Needed where the upgrade runs: on the first Agent for a cluster upgrade, on each Agent otherwise.
      const agents = input.facts?.agents ?? [];
      for (const f of input.upgradeScope === 'cluster' ? agents.slice(0, 1) : agents) {
        if (f.packagesPresent?.[source.path] === false) {
          throw new PackageProblemError(source.path, `it is not on Agent ${agentLabel(f.agent)}`, 'Copy it there (or give a local file to upload), then plan again.');
        }
      }
      return { step, source, sendPath: source.path, agentPath: source.path, fixed: false, natsIssue: natsIssueAt(input, sequence, i) };
    }
    const inspection = input.inspections[source.path];
    if (inspection === undefined) {
      throw new PackageProblemError(source.path, 'it could not be checked on this host', 'Use Backout from VS Code or the backout command line, which read packages before a run.');
    }
    checkRevealedVersion(step, i, source, inspection);
    if (inspection.version === undefined) warnings.push(`Package ${source.path} does not reveal its version; make sure it installs ${step.label}.`);
    const natsIssue = natsIssueAt(input, sequence, i) && inspection.hasVerifyNatsIsRunning;
    const fixed = natsIssue && shouldFix(input, runningWhenInstalled(input, sequence, i), inspection, warnings);
    const sendPath = fixed ? fixedCopyPath(source.path) : source.path;
    const agentPath = win.join(win.upgradesDir(win.DEFAULT_AGENT_PATHS), win.checkFileName('package file name', packageFileName(sendPath)));
    return { step, source, sendPath, agentPath, fixed, natsIssue, inspection };
  });
}

/** The build number a local package revealed (its build string), to verify exactly that build afterwards. */
function revealedBuild(pkg: ResolvedPackage): number | undefined {
  const v = pkg.inspection?.version;
  if (v === undefined) return undefined;
  try {
    return parseVersion(v).build;
  } catch {
    return undefined;
  }
}

function natsIssueAt(input: PackageRouteInput, sequence: PackageStep[], index: number): boolean {
  return meetsNatsKnownIssue(runningWhenInstalled(input, sequence, index), (sequence[index] as PackageStep).version);
}

/** The prerequisite fix, for a package the known issue applies to (decided by natsIssueAt): unless turned off. */
function shouldFix(input: PackageRouteInput, running: DmVersion, inspection: PackageInspection, warnings: string[]): boolean {
  if (input.fixPrerequisite === 'no') {
    warnings.push(`${inspection.path} contains Update.zip\\Prerequisites\\VerifyNatsIsRunning.dll and is installed while the DMA runs ${formatVersion(running)}: it is known to fail on it (fixPrerequisite=no).`);
    return false;
  }
  if (input.tool === undefined) throw new PackageProblemError(inspection.path, 'it needs the VerifyNatsIsRunning fix, which this host cannot make', 'Make the fixed copy with Backout in VS Code or the backout command line.');
  return true;
}

function swapApplies(input: PackageRouteInput, warnings: string[]): { swap: boolean; reason: string } {
  const d = moduleSwapDecision(input.from, input.to);
  if (d.swap === 'ask') {
    if (input.moduleSwap === 'auto') throw new ModuleSwapQuestionError(d.question);
    return { swap: input.moduleSwap === 'yes', reason: `moduleSwap=${input.moduleSwap} answers: ${d.question}` };
  }
  if (d.swap === 'required') {
    if (input.moduleSwap === 'no') {
      warnings.push(`The module swap is required (${d.reason}) but was turned off with moduleSwap=no: the Agents may keep showing "Starting up (xx%)".`);
      return { swap: false, reason: d.reason };
    }
    return { swap: true, reason: d.reason };
  }
  if (input.moduleSwap === 'yes') {
    warnings.push(`The module swap is not prescribed here (${d.reason}) but was asked for with moduleSwap=yes.`);
    return { swap: true, reason: `moduleSwap=yes; ${d.reason}` };
  }
  return { swap: false, reason: d.reason };
}

function noNatsRollbackAcknowledgement(input: Pick<PackageRouteInput, 'from' | 'to'>): string | undefined {
  const problem = brokerGatewayProblem(input.from, input.to);
  return problem === undefined ? undefined : `acknowledgeNoNatsRollback=true was given: ${NO_WAY_BACK_STATEMENT} The DMS goes from ${formatVersion(input.from)} to ${formatVersion(input.to)} anyway.`;
}

/** Decides route B without building steps (also used to know which facts to read). */
export function routeDecisions(input: Pick<PackageRouteInput, 'from' | 'to' | 'moduleSwap'> & { acknowledgeNoNatsRollback?: boolean }): { sequence: PackageStep[]; swap: boolean; swapReason: string; warnings: string[] } {
  const from = input.from;
  if (from.cuUnknown === true && releaseKind(from) === 'main' && from.major === input.to.major && from.minor === input.to.minor && from.release === input.to.release) {
    throw new CurrentCuQuestionError(
      `The Agents report ${from.raw}: its build string does not say which cumulative update of ${from.major}.${from.minor}.${from.release} the DMS runs, ` +
        `and the target ${formatVersion(input.to)} is a CU of that same release. Which CU does it run? Answer with from=${from.major}.${from.minor}.${from.release} [CUn] ` +
        '(Cube: About DataMiner; or the package it was installed with).',
    );
  }
  const gateway = brokerGatewayProblem(from, input.to);
  if (gateway !== undefined && input.acknowledgeNoNatsRollback !== true) throw new DowngradeInputError(gateway);
  let sequence: PackageStep[];
  try {
    sequence = packageSequence(input.from, input.to);
  } catch (err) {
    if (err instanceof DowngradeError) throw new DowngradeInputError(err.message);
    throw err;
  }
  const warnings: string[] = [];
  const s = swapApplies(input as PackageRouteInput, warnings);
  return { sequence, swap: s.swap, swapReason: s.reason, warnings };
}

function packageSteps(input: PackageRouteInput, pkg: ResolvedPackage, n: number, all: AgentTarget[], swapFollows: boolean): Step[] {
  const steps: Step[] = [];
  const tag = `p${n}`;
  const label = pkg.step.label;
  const driving = input.upgradeScope === 'cluster' ? all.slice(0, 1) : all;
  if (pkg.fixed && input.tool !== undefined) {
    steps.push(
      localStep(`fix-package-${tag}`, `Make a copy of the ${label} package without VerifyNatsIsRunning.dll (the original stays as it is)`, SRC.prerequisiteFix, input.tool.fixCommand(pkg.source.path, pkg.sendPath), {
        destructive: false,
        idempotent: true,
        timeoutMs: 30 * MIN,
      }),
    );
  }
  if (pkg.source.where === 'local') {
    const folder = pkg.agentPath.slice(0, pkg.agentPath.lastIndexOf('\\'));
    // The fixed copy is made by an earlier step of the run, so only the original's size is known when planning.
    const bytes = pkg.fixed ? undefined : pkg.inspection?.sizeBytes;
    steps.push({
      id: `upload-package-${tag}`,
      title: `Upload the ${label} package to ${input.upgradeScope === 'cluster' ? 'the Agent that runs the upgrade' : 'every Agent'}`,
      source: SRC.upload,
      kind: 'ssh',
      destructive: false,
      // Written under a temporary name and renamed when complete: sending it again replaces it whole.
      idempotent: true,
      timeoutMs: 120 * MIN,
      instances: driving.map((t) => ({
        instance: t.agent.name,
        // Over SFTP on the run's SSH connection (host keys, credentials, pool), after making sure the folder exists.
        action: { ...ssh(t, win.ensureFolder(folder, t.shell)), upload: { localPath: pkg.sendPath, remotePath: win.sftpPath(pkg.agentPath) } },
        verify: {
          description: `${pkg.agentPath} is on ${t.agent.name} with ${bytes === undefined ? 'the uploaded copy' : `all ${bytes} bytes`}`,
          action: ssh(t, fileLength(pkg.agentPath, t.shell)),
          expectOutput: fileLengthPattern(packageFileName(pkg.agentPath), bytes),
        },
      })),
    });
  }
  steps.push({
    id: `check-package-${tag}`,
    title: `Check the ${label} package is in place on the Agent${driving.length === 1 ? '' : 's'}`,
    source: SRC.download,
    kind: 'ssh',
    destructive: false,
    idempotent: true,
    timeoutMs: READ_TIMEOUT,
    instances: driving.map((t) => ({
      instance: t.agent.name,
      action: ssh(t, win.testPath(pkg.agentPath, t.shell)),
      verify: { description: `${pkg.agentPath} exists`, action: ssh(t, win.testPath(pkg.agentPath, t.shell)), expectOutput: '^True' },
    })),
  });
  const infoPath = win.join(WORK_DIR, `UpgradeInfo-${tag}.xml`);
  const info = (t: AgentTarget): win.UpgradeInfo => ({
    agents: input.upgradeScope === 'cluster' ? all.map((x) => x.agent.address) : [t.agent.address],
    isCluster: input.upgradeScope === 'cluster' && all.length > 1,
    extractAllFiles: false,
    delayedStart: false,
    automaticStartServices: true,
    stopSnmp: false,
    rebootAfterUpgrade: false,
    failoverPolicy: 'Simultaneously',
  });
  steps.push({
    id: `write-upgrade-info-${tag}`,
    title: `Write UpgradeInfo.xml for the ${label} package`,
    source: `${SRC.upgrade}; UpgradeInfo.xml: Agents/IP, IsCluster, FailoverPolicy Simultaneously (main and backup together)`,
    kind: 'ssh',
    destructive: false,
    idempotent: true,
    timeoutMs: READ_TIMEOUT,
    instances: driving.map((t) => ({
      instance: t.agent.name,
      action: ssh(t, win.writeUpgradeInfo(infoPath, info(t), t.shell)),
      verify: { description: `${infoPath} exists`, action: ssh(t, win.testPath(infoPath, t.shell)), expectOutput: '^True' },
    })),
  });
  const packageFile = packageFileName(pkg.agentPath);
  // The upgrade's own folder, Upgrades\Packages\<package file>-<32 hex>: its name is the first line read-upgrade-progress prints.
  const runFolder = `^${regexEscape(packageFile)}-[0-9A-Fa-f]{32}\\s*$`;
  steps.push({
    id: `upgrade-${tag}`,
    title: `Install the ${label} package${input.upgradeScope === 'cluster' ? ' on the whole cluster' : ' on every Agent'} (Taskbar Utility -upgrade)`,
    source: pkg.step.final ? SRC.upgrade : `${SRC.severalMajors}; ${SRC.upgrade}`,
    kind: 'ssh',
    destructive: true,
    // A package that was used is marked as completed and cannot be used again: never run this twice.
    idempotent: false,
    timeoutMs: input.upgradeTimeoutMinutes * MIN,
    concurrency: driving.length,
    instances: driving.map((t) => ({
      instance: t.agent.name,
      action: ssh(t, win.runUpgrade(t.paths, pkg.agentPath, infoPath, t.shell)),
      verify: { description: `the upgrade with ${packageFile} has started (its folder ${packageFile}-<32 hex> holds progress.log)`, action: ssh(t, win.readUpgradeProgress(t.paths, packageFile, 1, t.shell)), expectOutput: runFolder },
    })),
  });
  steps.push(
    waitStep(
      `wait-upgrade-${tag}`,
      `Follow the ${label} upgrade until it has completed`,
      `${SRC.upgrade}; ${SRC.swapWait}`,
      input.upgradeTimeoutMinutes * MIN,
      driving.map((t) => ({
        instance: t.agent.name,
        wait: {
          description: `progress.log in this upgrade's folder ${packageFile}-<32 hex> says the upgrade completed`,
          until: ssh(t, win.readUpgradeProgress(t.paths, packageFile, 20, t.shell)),
          intervalMs: 5000,
          succeedWhenOutputMatches: '[Uu]pgrade completed',
          failWhenOutputMatches: 'Prerequisite check \\S+ failed[^\\n]*|[Tt]he upgrade was aborted[^\\n]*',
        },
      })),
    ),
  );
  if (!(pkg.step.final && swapFollows)) steps.push(verifyVersionStep(input, pkg, tag, all));
  return steps;
}

/**
 * "Verify every Agent runs <version>": VersionHistory.txt gets its line when an Agent first starts after the upgrade, so
 * where the module swap applies this comes after it (the Agents cannot start before).
 */
function verifyVersionStep(input: PackageRouteInput, pkg: ResolvedPackage, tag: string, all: AgentTarget[]): Step {
  const label = pkg.step.label;
  const target = pkg.step.version;
  return waitStep(
    `verify-version-${tag}`,
    `Verify every Agent runs ${label}`,
    SRC.verifyEach,
    input.upgradeTimeoutMinutes * MIN,
    all.map((t) => ({
      instance: t.agent.name,
      wait: {
        description: `the last line of VersionHistory.txt is ${label}`,
        until: ssh(t, win.readVersionHistory(t.paths, t.shell)),
        intervalMs: 5000,
        succeedWhenOutputMatches: lastVersionPattern(target, !pkg.step.final, revealedBuild(pkg)),
      },
    })),
  );
}

export function planPackageRoute(input: PackageRouteInput): PlanDraft {
  const { sequence, swap, swapReason, warnings } = routeDecisions(input);
  const all = agentTargets(input.facts);
  const packages = resolvePackages(input, sequence, warnings);
  let swapPlans: AgentSwapPlan[] | undefined;
  if (swap && input.facts !== undefined) swapPlans = input.facts.agents.map((f: PlannedAgentFacts) => planAgentSwap(f));
  if (input.facts === undefined) {
    warnings.push(
      'Planned offline, for review: commands are rendered for cmd.exe and the default paths, and "each-agent" stands for every Agent. ' +
        'To run it, plan against the DMS with --param agents=…: its facts are read and the commands rendered for each Agent.',
    );
  }
  const unfixed = packages.filter((p) => p.natsIssue && !p.fixed && p.source.where === 'agent');
  if (unfixed.length > 0) {
    warnings.push(
      `Known issue VerifyNatsIsRunning: ${unfixed.map((p) => `the ${p.step.label} package (installed while the DMA runs ${formatVersion(runningWhenInstalled(input, sequence, packages.indexOf(p)))})`).join(' and ')} ` +
        'will fail its VerifyNatsIsRunning prerequisite if it has Update.zip\\Prerequisites\\VerifyNatsIsRunning.dll, as the vendor\'s packages of that version do. ' +
        'Choose it as a local file so Backout can check it and make the fixed copy (the packages around it keep the check).',
    );
  }
  warnings.push(...DOWNGRADE_WARNINGS);

  const steps: Step[] = [acknowledgeWarningsStep(input.dms, input.acknowledgeNoNatsRollback ? noNatsRollbackAcknowledgement(input) : undefined)];
  // The upgrade MOP's backup comes before the first package is installed.
  steps.push(backupStep(input.backup, all, input.upgradeTimeoutMinutes * MIN));
  packages.forEach((p, i) => steps.push(...packageSteps(input, p, i + 1, all, swap)));
  if (swap) {
    if (swapPlans !== undefined) steps.push(...swapSteps(swapPlans, new Map(all.map((t) => [t.agent.name, t]))));
    else steps.push(offlineSwapStep());
    const last = packages[packages.length - 1] as ResolvedPackage;
    // MOP step 3: "completed" (judged from the upgrade's progress) → stop → uninstall → reinstall → start; then each
    // Agent's first start writes VersionHistory.txt, so the version is verified last.
    steps.push(verifyVersionStep(input, last, `p${packages.length}`, all));
  }
  steps.push(webAppsStep(), credentialsLibraryStep());

  const extra: JsonObject = {
    route: 'package',
    dms: input.dms,
    from: formatVersion(input.from),
    to: formatVersion(input.to),
    packages: sequence.map((s) => s.label),
    packageFiles: packages.map((p) => ({
      version: p.step.label,
      source: p.source.where === 'local' ? p.source.path : `agent:${p.source.path}`,
      onAgents: p.agentPath,
      fixedCopy: p.fixed ? p.sendPath : null,
      revealedVersion: p.inspection?.version ?? null,
    })),
    moduleSwap: swap,
    moduleSwapReason: swapReason,
    prerequisiteFix: packages.some((p) => p.fixed),
    natsFix: packages.filter((p) => p.fixed || (p.natsIssue && input.facts === undefined && p.source.where === 'agent')).map((p) => p.step.label),
    backup: input.backup.how === 'taskbar-utility' ? { how: 'taskbar-utility' } : input.backup.how === 'evidence' ? { how: 'evidence', evidence: input.backup.evidence } : { how: 'skip', reason: input.backup.reason },
    acknowledgeNoNatsRollback: input.acknowledgeNoNatsRollback,
    upgradeScope: input.upgradeScope,
    agents: (input.facts?.agents ?? []).map((f) => ({ name: f.agent.name, address: f.agent.address, version: formatVersion(f.running), build: f.running.raw, shell: f.shell })),
    timeEstimate: estimateJson(packageRouteEstimate(sequence.length, input.facts?.agents.length)),
  };
  return { steps, warnings, extra };
}

