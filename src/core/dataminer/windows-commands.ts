// Renders every remote operation on a DataMiner Agent as the exact command line sent over SSH.
//
// Why this shape: Windows OpenSSH hands the command line to its DefaultShell, which is cmd.exe or PowerShell, and the
// two quote and expand differently (cmd expands %VAR% even inside quotes, PowerShell expands $var in double quotes and
// treats ; & | as operators). So the operation itself is always a PowerShell script, passed base64-encoded
// (UTF-16LE) through `powershell.exe -EncodedCommand`: the outer line then contains only fixed words and [A-Za-z0-9+/=],
// which both shells pass through untouched. Inside the script every value is a single-quoted PowerShell literal
// (no expansion at all) and is validated first. The outer line differs per shell only so that the full 32-bit exit
// code comes back: cmd.exe returns the child's code as is; PowerShell needs `exit $LASTEXITCODE`.

export type DefaultShell = 'cmd' | 'powershell';

/** Where DataMiner lives on an Agent. The Taskbar Utility path differs between documentation pages; see agent facts. */
export interface AgentPaths {
  installDir: string;
  taskbarUtility: string;
}

export const TASKBAR_UTILITY_CANDIDATES: readonly string[] = [
  'C:\\Program Files (x86)\\Skyline Communications\\Skyline Taskbar Utility\\SLTaskbarUtility.exe',
  'C:\\Program Files\\Skyline Communications\\Skyline Taskbar Utility\\SLTaskbarUtility.exe',
];

export const DEFAULT_AGENT_PATHS: AgentPaths = {
  installDir: 'C:\\Skyline DataMiner',
  taskbarUtility: TASKBAR_UTILITY_CANDIDATES[0] as string,
};

/** cmd.exe refuses longer command lines (8191 characters). */
export const MAX_COMMAND_LINE = 8191;

export class UnsafeCommandValueError extends Error {
  constructor(
    readonly what: string,
    readonly value: string,
    readonly rule: string,
  ) {
    super(`Refusing to build a remote command: ${what} ${JSON.stringify(value)} ${rule}.`);
    this.name = 'UnsafeCommandValueError';
  }
}

export interface RenderedCommand {
  /** Catalogue id of the operation, e.g. `taskbar-stop`. */
  operation: string;
  /** The PowerShell script the line carries (for logs, dry runs and the catalogue). */
  script: string;
  /** The exact command line sent over SSH. */
  line: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of values before they enter a script.

const CONTROL = /[\u0000-\u001f\u007f]/;
const WINDOWS_PATH = /^[A-Za-z]:\\/;
const FORBIDDEN_IN_NAME = /[<>:"/\\|?*]/;

/** An absolute Windows path: drive letter, no control characters, no characters Windows forbids in names. */
export function checkWindowsPath(what: string, path: string): string {
  if (!WINDOWS_PATH.test(path)) throw new UnsafeCommandValueError(what, path, 'is not an absolute Windows path (C:\\...)');
  if (CONTROL.test(path)) throw new UnsafeCommandValueError(what, path, 'contains control characters');
  const parts = path.slice(3).split('\\');
  for (const part of parts) {
    if (part === '' && parts.length > 1) throw new UnsafeCommandValueError(what, path, 'contains an empty path component');
    if (part === '.' || part === '..') throw new UnsafeCommandValueError(what, path, 'contains . or .. components');
    if (FORBIDDEN_IN_NAME.test(part)) throw new UnsafeCommandValueError(what, path, 'contains a character Windows forbids in file names');
    if (/[ .]$/.test(part)) throw new UnsafeCommandValueError(what, path, 'has a component ending in a space or dot');
  }
  return path;
}

/** A single file or folder name (no separators). */
export function checkFileName(what: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || FORBIDDEN_IN_NAME.test(name) || CONTROL.test(name) || /[ .]$/.test(name)) {
    throw new UnsafeCommandValueError(what, name, 'is not a valid Windows file name');
  }
  return name;
}

/** An MSI product code, e.g. {8A5E0A72-1F0B-4C2E-9E76-3A0C2B7D1E11}. */
export function checkProductCode(code: string): string {
  if (!/^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/.test(code)) {
    throw new UnsafeCommandValueError('MSI product code', code, 'is not a GUID in braces');
  }
  return code;
}

/** A Windows service name: letters, digits, space, dash, underscore, dot. */
export function checkServiceName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,255}$/.test(name)) throw new UnsafeCommandValueError('service name', name, 'is not a valid service name');
  return name;
}

/** An IPv4/IPv6 address or a DNS name, as it may appear in UpgradeInfo.xml. */
export function checkAgentAddress(address: string): string {
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(address)) throw new UnsafeCommandValueError('Agent address', address, 'is not an IP address or host name');
  return address;
}

// ---------------------------------------------------------------------------------------------------------------
// Quoting.

/**
 * A PowerShell single-quoted literal. Nothing inside is expanded; the only escape is doubling the quote, and
 * PowerShell also treats the typographic single quotes U+2018..U+201B as quote characters, so those are doubled too.
 */
export function psLiteral(value: string): string {
  if (value.includes('\u0000')) throw new UnsafeCommandValueError('value', value, 'contains a NUL character');
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/**
 * One argument as CommandLineToArgvW (and the MSVC runtime, and .NET) will split it back: quoted when it contains
 * whitespace or quotes; backslashes before a quote, and at the end inside quotes, are doubled.
 */
export function windowsArgument(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(slashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(slashes) + ch;
    }
    slashes = 0;
  }
  return out + '\\'.repeat(slashes * 2) + '"';
}

/** `-ArgumentList` for Start-Process: Windows PowerShell 5.1 joins the items with spaces, so each is pre-quoted. */
function argumentList(args: readonly string[]): string {
  return args.map((a) => psLiteral(windowsArgument(a))).join(', ');
}

const POWERSHELL_EXE = 'powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -InputFormat None -EncodedCommand';

const PRELUDE = "$ErrorActionPreference = 'Stop'\n$ProgressPreference = 'SilentlyContinue'\n";

/** Wraps a script into the exact line for the Agent's DefaultShell. */
export function renderLine(operation: string, body: string, shell: DefaultShell): RenderedCommand {
  const script = PRELUDE + body;
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  const line = shell === 'cmd' ? `${POWERSHELL_EXE} ${encoded}` : `& ${POWERSHELL_EXE} ${encoded}; exit $LASTEXITCODE`;
  if (line.length > MAX_COMMAND_LINE) {
    throw new UnsafeCommandValueError(`command line of ${operation}`, `${line.length} characters`, `exceeds the ${MAX_COMMAND_LINE}-character limit of cmd.exe`);
  }
  return { operation, script, line };
}

/** Decodes the script out of a rendered line (for logs and dry runs). */
export function decodeLine(line: string): string | undefined {
  const m = /-EncodedCommand ([A-Za-z0-9+/=]+)/.exec(line);
  return m?.[1] === undefined ? undefined : Buffer.from(m[1], 'base64').toString('utf16le');
}

// ---------------------------------------------------------------------------------------------------------------
// Paths on the Agent (domain.md).

export function join(base: string, ...names: string[]): string {
  return [base.replace(/\\+$/, ''), ...names].join('\\');
}

export function versionHistoryPath(p: AgentPaths): string {
  return join(p.installDir, 'Upgrades', 'VersionHistory.txt');
}
export function moduleInstallersDir(p: AgentPaths): string {
  return join(p.installDir, 'Tools', 'ModuleInstallers');
}
/** The default backup folder (Backups: "default folder C:\\Skyline DataMiner Backups\\"). */
export const BACKUP_DIR = 'C:\\Skyline DataMiner Backups';

/** The upgrade packages in C:\\Skyline DataMiner\\Upgrades (top level: where Backout looks for them), with their sizes, as CSV. */
export function listUpgradePackages(p: AgentPaths, shell: DefaultShell): RenderedCommand {
  return renderLine(
    'list-upgrade-packages',
    `Get-ChildItem -LiteralPath ${psLiteral(checkWindowsPath('Upgrades folder', upgradesDir(p)))} -File | Select-Object -Property Name, Length | ConvertTo-Csv -NoTypeInformation`,
    shell,
  );
}

/** The file names in the backup folder, newest first, with their creation time (UTC). */
export function listBackups(shell: DefaultShell): RenderedCommand {
  return renderLine(
    'list-backups',
    `Get-ChildItem -LiteralPath ${psLiteral(BACKUP_DIR)} -File | Sort-Object -Property CreationTimeUtc -Descending | Select-Object -Property Name, CreationTimeUtc | ConvertTo-Csv -NoTypeInformation`,
    shell,
  );
}

export function upgradesDir(p: AgentPaths): string {
  return join(p.installDir, 'Upgrades');
}
export function packagesDir(p: AgentPaths): string {
  return join(p.installDir, 'Upgrades', 'Packages');
}

/**
 * The name filter of the folders an upgrade with this package creates: `<package file>-<32 hex characters>`, one per
 * upgrade run (VerifyClusterPorts.dmupgrade.md, BrokerGateway_Migration.md "NATSMigration.dmupgrade-XXX\progress.log";
 * there is no folder named after the package alone). `?` matches exactly one character in a -Filter.
 */
export function packageRunFolderFilter(packageFile: string): string {
  return `${checkFileName('package name', packageFile)}-${'?'.repeat(32)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The operations. Each returns the rendered command; the catalogue in docs/windows-commands.md lists them all.

/** Which DefaultShell answers: cmd.exe expands %OS% to Windows_NT, PowerShell prints it literally. Sent as is. */
export function detectShell(): { operation: string; line: string } {
  return { operation: 'detect-shell', line: 'echo %OS%' };
}

/** Which of the documented Taskbar Utility locations exist (one True/False line per candidate, in order). */
export function locateTaskbarUtility(shell: DefaultShell): RenderedCommand {
  const body = TASKBAR_UTILITY_CANDIDATES.map((c) => `Test-Path -LiteralPath ${psLiteral(c)}`).join('\n');
  return renderLine('locate-taskbar-utility', body, shell);
}

export function readVersionHistory(p: AgentPaths, shell: DefaultShell): RenderedCommand {
  return renderLine('read-version-history', `Get-Content -LiteralPath ${psLiteral(checkWindowsPath('VersionHistory.txt path', versionHistoryPath(p)))}`, shell);
}

const UNINSTALL_KEYS = [
  'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*',
  'HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*',
];

/** Installed programs ("Add or remove programs") as CSV: DisplayName, DisplayVersion, PSChildName (product code). */
export function listInstalledPrograms(shell: DefaultShell): RenderedCommand {
  const body =
    `Get-ItemProperty -Path ${UNINSTALL_KEYS.map(psLiteral).join(', ')} -ErrorAction SilentlyContinue` +
    ' | Select-Object DisplayName, DisplayVersion, PSChildName | ConvertTo-Csv -NoTypeInformation';
  return renderLine('list-installed-programs', body, shell);
}

/** File names in C:\Skyline DataMiner\Tools\ModuleInstallers. */
export function listModuleInstallers(p: AgentPaths, shell: DefaultShell): RenderedCommand {
  return renderLine('list-module-installers', `Get-ChildItem -LiteralPath ${psLiteral(checkWindowsPath('ModuleInstallers folder', moduleInstallersDir(p)))} -File -Name`, shell);
}

/** Services by name, as CSV: Name, Status. Unknown names are skipped. */
export function listServices(names: readonly string[], shell: DefaultShell): RenderedCommand {
  if (names.length === 0) throw new UnsafeCommandValueError('service list', '', 'is empty');
  const list = names.map((n) => psLiteral(checkServiceName(n))).join(', ');
  return renderLine('list-services', `Get-Service -Name ${list} -ErrorAction SilentlyContinue | Select-Object Name, Status | ConvertTo-Csv -NoTypeInformation`, shell);
}

/** Runs a GUI-subsystem program, waits for it, and exits with its exit code (what `start /wait` does in cmd). */
function startAndWait(filePath: string, args: readonly string[]): string {
  return `$p = Start-Process -FilePath ${psLiteral(filePath)} -ArgumentList ${argumentList(args)} -Wait -PassThru\nexit $p.ExitCode`;
}

export type TaskbarAction = 'stop' | 'start' | 'restart' | 'backup';

/** `SLTaskbarUtility.exe -stop|-start|-restart`; the result is the utility's exit code. */
export function taskbar(action: TaskbarAction, p: AgentPaths, shell: DefaultShell): RenderedCommand {
  return renderLine(`taskbar-${action}`, startAndWait(checkWindowsPath('Taskbar Utility path', p.taskbarUtility), [`-${action}`]), shell);
}

/** `SLTaskbarUtility.exe -upgrade <package> <UpgradeInfo.xml>`. */
export function runUpgrade(p: AgentPaths, packagePath: string, upgradeInfoPath: string, shell: DefaultShell): RenderedCommand {
  const args = ['-upgrade', checkWindowsPath('upgrade package path', packagePath), checkWindowsPath('UpgradeInfo.xml path', upgradeInfoPath)];
  return renderLine('taskbar-upgrade', startAndWait(checkWindowsPath('Taskbar Utility path', p.taskbarUtility), args), shell);
}

export type FailoverPolicy = 'UseDefault' | 'Simultaneously' | 'BackupFirst' | 'BackupFirstWithSwitchback';

export interface UpgradeInfo {
  agents: readonly string[];
  isCluster: boolean;
  extractAllFiles: boolean;
  delayedStart: boolean;
  automaticStartServices: boolean;
  stopSnmp: boolean;
  rebootAfterUpgrade: boolean;
  failoverPolicy: FailoverPolicy;
}

/** The UpgradeInfo.xml document (domain.md: Agents/IP, IsCluster, ExtractAllFiles, ...). Values are validated. */
export function upgradeInfoXml(info: UpgradeInfo): string {
  const b = (v: boolean): string => (v ? 'true' : 'false');
  const agents = info.agents.map((a) => `    <IP>${checkAgentAddress(a)}</IP>`).join('\n');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<UpgradeInfo>',
    '  <Agents>',
    agents,
    '  </Agents>',
    `  <IsCluster>${b(info.isCluster)}</IsCluster>`,
    `  <ExtractAllFiles>${b(info.extractAllFiles)}</ExtractAllFiles>`,
    `  <DelayedStart>${b(info.delayedStart)}</DelayedStart>`,
    `  <AutomaticStartServices>${b(info.automaticStartServices)}</AutomaticStartServices>`,
    `  <StopSNMP>${b(info.stopSnmp)}</StopSNMP>`,
    `  <RebootAfterUpgrade>${b(info.rebootAfterUpgrade)}</RebootAfterUpgrade>`,
    `  <FailoverPolicy>${info.failoverPolicy}</FailoverPolicy>`,
    '</UpgradeInfo>',
  ].join('\n');
}

/** Writes UpgradeInfo.xml (UTF-8) at the given path, creating its folder. */
export function writeUpgradeInfo(path: string, info: UpgradeInfo, shell: DefaultShell): RenderedCommand {
  const target = checkWindowsPath('UpgradeInfo.xml path', path);
  const folder = target.slice(0, target.lastIndexOf('\\'));
  const body =
    `New-Item -ItemType Directory -Force -Path ${psLiteral(folder)} | Out-Null\n` +
    `Set-Content -LiteralPath ${psLiteral(target)} -Encoding UTF8 -Value ${psLiteral(upgradeInfoXml(info))}`;
  return renderLine('write-upgrade-info', body, shell);
}

/**
 * The newest upgrade folder of this package (the one the run's upgrade created: a package, once used, is refused) and
 * the last lines of its progress.log. Prints the folder's name first; fails while no such folder exists.
 */
export function readUpgradeProgress(p: AgentPaths, packageFile: string, tail: number, shell: DefaultShell): RenderedCommand {
  if (!Number.isInteger(tail) || tail < 1 || tail > 10000) throw new UnsafeCommandValueError('tail', String(tail), 'is not an integer in 1..10000');
  const body =
    `$d = Get-ChildItem -LiteralPath ${psLiteral(checkWindowsPath('Packages folder', packagesDir(p)))} -Directory -Filter ${psLiteral(packageRunFolderFilter(packageFile))} | Sort-Object -Property CreationTimeUtc | Select-Object -Last 1\n` +
    'Write-Output $d.Name\n' +
    `Join-Path -Path $d.FullName -ChildPath 'progress.log' | Get-Content -Tail ${tail}`;
  return renderLine('read-upgrade-progress', body, shell);
}

/** `msiexec /x {code} /qn /norestart /l*v <log>`: exit 0, 3010 (reboot needed), 1605 (not installed), 1603 ... */
export function uninstallMsi(productCode: string, logPath: string, shell: DefaultShell): RenderedCommand {
  const args = ['/x', checkProductCode(productCode), '/qn', '/norestart', '/l*v', checkWindowsPath('msiexec log path', logPath)];
  return renderLine('msi-uninstall', startAndWait('msiexec.exe', args), shell);
}

/** `msiexec /i <msi> /qn /norestart /l*v <log>`. */
export function installMsi(msiPath: string, logPath: string, shell: DefaultShell): RenderedCommand {
  const args = ['/i', checkWindowsPath('installer path', msiPath), '/qn', '/norestart', '/l*v', checkWindowsPath('msiexec log path', logPath)];
  return renderLine('msi-install', startAndWait('msiexec.exe', args), shell);
}

/** Whether a file or folder exists on the Agent (True/False). */
export function testPath(path: string, shell: DefaultShell): RenderedCommand {
  return renderLine('test-path', `Test-Path -LiteralPath ${psLiteral(checkWindowsPath('path', path))}`, shell);
}

/** Creates a folder (and its parents) if missing, e.g. before uploading a package into it. */
export function ensureFolder(path: string, shell: DefaultShell): RenderedCommand {
  return renderLine('ensure-folder', `New-Item -ItemType Directory -Force -Path ${psLiteral(checkWindowsPath('folder', path))} | Out-Null`, shell);
}

/** The SFTP path of a Windows path as Windows OpenSSH's sftp-server expects it: C:\a b\c -> /C:/a b/c. */
export function sftpPath(windowsPath: string): string {
  return '/' + checkWindowsPath('upload path', windowsPath).replace(/\\/g, '/');
}
