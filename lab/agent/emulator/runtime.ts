// Runs parsed PowerShell statements against an emulated Agent: the cmdlets Backout uses, Start-Process of the programs
// an Agent has (SLTaskbarUtility.exe, msiexec.exe), and powershell.exe itself (-EncodedCommand / -Command).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitWindowsCommandLine } from './argv';
import { msiexec, ProgramResult, taskbarUtility } from './dataminer';
import { Arg, CommandCall, formatError, formatOutput, parse, PsError, PsObject, PsParseError, PsValue, Statement } from './powershell';
import { createProcess, processStartTime, programDelay, recordEffect, runRedirected } from './jobs';
import { hostPath, readState } from './state';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

class ExitSignal {
  constructor(readonly code: number) {}
}

interface Bound {
  named: Map<string, PsValue>;
  switches: Set<string>;
  positional: PsValue[];
}

interface CmdletSpec {
  values: string[];
  switches: string[];
  /** Parameter names the positional arguments bind to, in order. */
  positional: string[];
}

const COMMON_VALUES = ['ErrorAction'];

function bind(call: CommandCall, spec: CmdletSpec): Bound {
  const named = new Map<string, PsValue>();
  const switches = new Set<string>();
  const positional: PsValue[] = [];
  const all = [...spec.values, ...COMMON_VALUES, ...spec.switches];
  const resolve = (name: string): string => {
    const exact = all.find((p) => p.toLowerCase() === name.toLowerCase());
    if (exact !== undefined) return exact;
    const prefixed = all.filter((p) => p.toLowerCase().startsWith(name.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0] as string;
    throw new PsError(call.name, `A parameter cannot be found that matches parameter name '${name}'.`, `InvalidArgument: (:) [${call.name}], ParameterBindingException`, `NamedParameterNotFound,${call.name}`);
  };
  const args: Arg[] = call.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as Arg;
    if (a.kind === 'param') {
      const name = resolve(a.name);
      if (spec.switches.includes(name)) {
        switches.add(name);
        continue;
      }
      const next = args[i + 1];
      if (next === undefined || next.kind !== 'value') {
        throw new PsError(call.name, `Missing an argument for parameter '${name}'. Specify a parameter of type 'System.Object' and try again.`, `InvalidArgument: (:) [${call.name}], ParameterBindingException`, `MissingArgument,${call.name}`);
      }
      named.set(name, next.value);
      i++;
    } else positional.push(a.value);
  }
  positional.forEach((p, idx) => {
    const name = spec.positional[idx];
    if (name === undefined) {
      throw new PsError(call.name, `A positional parameter cannot be found that accepts argument '${String(p)}'.`, `InvalidArgument: (:) [${call.name}], ParameterBindingException`, `PositionalParameterNotFound,${call.name}`);
    }
    if (!named.has(name)) named.set(name, p);
  });
  return { named, switches, positional };
}

const list = (v: PsValue | undefined): PsValue[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const str = (v: PsValue | undefined): string | undefined => (v === undefined || v === null ? undefined : String(v));

function notFound(cmdlet: string, p: string, className: string): PsError {
  return new PsError(cmdlet, `Cannot find path '${p}' because it does not exist.`, `ObjectNotFound: (${p}:String) [${cmdlet}], ItemNotFoundException`, `PathNotFound,Microsoft.PowerShell.Commands.${className}`);
}

const UNINSTALL = /^HKLM:\\SOFTWARE\\(WOW6432Node\\)?Microsoft\\Windows\\CurrentVersion\\Uninstall\\\*$/i;

export class PsSession {
  private readonly vars = new Map<string, PsValue>([
    ['lastexitcode', 0],
    ['erroractionpreference', 'Continue'],
    // $PID: the id of the process running this PowerShell.
    ['pid', process.pid],
  ]);

  constructor(
    private readonly agentDir: string,
    private readonly io: Io,
  ) {}

  /** Runs a script; resolves to powershell.exe's exit code for it. */
  async run(script: string): Promise<number> {
    let statements: Statement[];
    try {
      statements = parse(script);
    } catch (err) {
      if (!(err instanceof PsParseError)) throw err;
      this.io.err(`At line:1 char:1`);
      this.io.err(`+ ${err.message}`);
      this.io.err('    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException');
      this.io.err('    + FullyQualifiedErrorId : UnexpectedToken');
      return 1;
    }
    for (const [index, st] of statements.entries()) {
      try {
        await this.statement(st);
      } catch (err) {
        if (err instanceof ExitSignal) return err.code;
        if (err instanceof PsError) {
          for (const l of formatError(err, index + 1)) this.io.err(l);
          return 1;
        }
        throw err;
      }
    }
    return 0;
  }

  private value(v: PsValue): PsValue {
    if (typeof v === 'string' && v.startsWith('\u0000var:')) {
      const [name, member] = v.slice(5).split('.') as [string, string | undefined];
      const val = this.vars.get(name.toLowerCase()) ?? null;
      if (member === undefined) return val;
      if (val !== null && typeof val === 'object' && !Array.isArray(val)) {
        const key = Object.keys(val).find((k) => k.toLowerCase() === member.toLowerCase());
        return key === undefined ? null : (val[key] ?? null);
      }
      return null;
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    return v;
  }

  private async statement(st: Statement): Promise<void> {
    if (st.kind === 'assign') {
      this.vars.set(st.name.toLowerCase(), this.value(st.value));
      return;
    }
    if (st.kind === 'exit') {
      const t = st.code;
      let code = 0;
      if (t !== undefined) {
        const raw = t.k === 'num' ? t.v : t.k === 'var' ? this.value(`\u0000var:${t.v}${t.member === undefined ? '' : '.' + t.member}`) : Number(t.v);
        code = Number(raw ?? 0) | 0;
      }
      throw new ExitSignal(code);
    }
    let input: PsValue[] = [];
    for (const call of st.commands) {
      const resolved: CommandCall = { ...call, args: call.args.map((a) => (a.kind === 'value' ? { kind: 'value', value: this.value(a.value) } : a)) };
      input = await this.command(resolved, input);
    }
    if (st.assign !== undefined) {
      this.vars.set(st.assign.toLowerCase(), input.length === 1 ? (input[0] as PsValue) : input);
      return;
    }
    for (const v of input) for (const l of formatOutput(v)) this.io.out(l);
  }

  /** Reports a cmdlet error as -ErrorAction / $ErrorActionPreference say. */
  private fail(err: PsError, b: Bound): void {
    const action = String(b.named.get('ErrorAction') ?? this.vars.get('erroractionpreference') ?? 'Continue').toLowerCase();
    if (action === 'silentlycontinue' || action === 'ignore') return;
    if (action === 'stop') throw err;
    for (const l of formatError(err, 1)) this.io.err(l);
  }

  private file(cmdlet: string, p: string): string {
    const local = hostPath(this.agentDir, p);
    if (local === undefined) throw new PsError(cmdlet, `Cannot find drive. A drive with the name '${p.slice(0, 1)}' does not exist.`, `ObjectNotFound: (${p.slice(0, 1)}:String) [${cmdlet}], DriveNotFoundException`, `DriveNotFound,Microsoft.PowerShell.Commands.${cmdlet.replace('-', '')}Command`);
    return local;
  }

  private async command(call: CommandCall, input: PsValue[]): Promise<PsValue[]> {
    const name = call.name.toLowerCase();
    if (call.native || /\.exe$/i.test(name)) return this.native(call);
    switch (name) {
      case 'get-content': {
        const b = bind(call, { values: ['LiteralPath', 'Path', 'Tail', 'Encoding'], switches: [], positional: ['Path'] });
        const piped = input[0];
        const fromPipe = typeof piped === 'string' ? piped : piped !== null && typeof piped === 'object' && !Array.isArray(piped) ? str(piped['FullName'] ?? null) : undefined;
        const p = str(b.named.get('LiteralPath') ?? b.named.get('Path')) ?? fromPipe ?? '';
        const local = this.file('Get-Content', p);
        if (!fs.existsSync(local) || fs.statSync(local).isDirectory()) {
          this.fail(notFound('Get-Content', p, 'GetContentCommand'), b);
          return [];
        }
        const lines = fs.readFileSync(local, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
        if (lines[lines.length - 1] === '') lines.pop();
        const tail = b.named.get('Tail');
        return tail === undefined ? lines : lines.slice(Math.max(0, lines.length - Number(tail)));
      }
      case 'test-path': {
        const b = bind(call, { values: ['LiteralPath', 'Path'], switches: [], positional: ['Path'] });
        const local = hostPath(this.agentDir, str(b.named.get('LiteralPath') ?? b.named.get('Path')) ?? '');
        return [local !== undefined && fs.existsSync(local)];
      }
      case 'get-childitem': {
        const b = bind(call, { values: ['LiteralPath', 'Path', 'Filter'], switches: ['File', 'Directory', 'Name'], positional: ['Path'] });
        const p = str(b.named.get('LiteralPath') ?? b.named.get('Path')) ?? '';
        const local = this.file('Get-ChildItem', p);
        if (!fs.existsSync(local)) {
          this.fail(notFound('Get-ChildItem', p, 'GetChildItemCommand'), b);
          return [];
        }
        let entries = fs.readdirSync(local, { withFileTypes: true });
        if (b.switches.has('File')) entries = entries.filter((e) => e.isFile());
        if (b.switches.has('Directory')) entries = entries.filter((e) => e.isDirectory());
        const filter = str(b.named.get('Filter'));
        if (filter !== undefined) {
          const re = new RegExp('^' + filter.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
          entries = entries.filter((e) => re.test(e.name));
        }
        entries.sort((a, c) => a.name.toLowerCase().localeCompare(c.name.toLowerCase()));
        if (b.switches.has('Name')) return entries.map((e) => e.name);
        return entries.map((e) => {
          const st = fs.statSync(path.join(local, e.name));
          // CreationTimeUtc as an ISO string (sorts as the DateTime does); Linux keeps a birth time where the file system has one.
          const created = new Date(st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs).toISOString();
          return { Name: e.name, Length: e.isFile() ? st.size : null, FullName: `${p.replace(/[\\/]+$/, '')}\\${e.name}`, CreationTimeUtc: created };
        });
      }
      case 'get-itemproperty': {
        const b = bind(call, { values: ['Path', 'LiteralPath', 'Name'], switches: [], positional: ['Path'] });
        const out: PsValue[] = [];
        const state = readState(this.agentDir);
        for (const p of list(b.named.get('Path') ?? b.named.get('LiteralPath'))) {
          const m = UNINSTALL.exec(String(p));
          if (m === null) {
            this.fail(notFound('Get-ItemProperty', String(p), 'GetItemPropertyCommand'), b);
            continue;
          }
          const wow = m[1] !== undefined;
          for (const prog of state.programs.filter((x) => (x.publisher === 'Skyline Communications') !== wow)) {
            out.push({ DisplayName: prog.name, DisplayVersion: prog.version, Publisher: prog.publisher, PSChildName: prog.productCode });
          }
        }
        return out;
      }
      case 'sort-object': {
        const b = bind(call, { values: ['Property'], switches: ['Descending'], positional: ['Property'] });
        const key = str(b.named.get('Property'));
        const get = (o: PsValue): string => {
          if (key === undefined || o === null || typeof o !== 'object' || Array.isArray(o)) return String(o);
          const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
          return k === undefined ? '' : String(o[k] ?? '');
        };
        const sorted = [...input].sort((x, y) => (get(x) < get(y) ? -1 : get(x) > get(y) ? 1 : 0));
        return b.switches.has('Descending') ? sorted.reverse() : sorted;
      }
      case 'join-path': {
        const b = bind(call, { values: ['Path', 'ChildPath'], switches: [], positional: ['Path', 'ChildPath'] });
        const base = str(b.named.get('Path'));
        if (base === undefined) {
          // Windows PowerShell: a null -Path is a terminating parameter binding error.
          throw new PsError('Join-Path', "Cannot bind argument to parameter 'Path' because it is null.", 'InvalidData: (:) [Join-Path], ParameterBindingValidationException', 'ParameterArgumentValidationErrorNullNotAllowed,Microsoft.PowerShell.Commands.JoinPathCommand');
        }
        return [`${base.replace(/[\\/]+$/, '')}\\${(str(b.named.get('ChildPath')) ?? '').replace(/^[\\/]+/, '')}`];
      }
      case 'select-object': {
        const b = bind(call, { values: ['Property', 'ExpandProperty', 'First', 'Last', 'Skip'], switches: [], positional: ['Property'] });
        const expand = str(b.named.get('ExpandProperty'));
        const props = list(b.named.get('Property')).map(String);
        const get = (o: PsValue, k: string): string | number | boolean | null => {
          if (o === null || typeof o !== 'object' || Array.isArray(o)) return null;
          const key = Object.keys(o).find((x) => x.toLowerCase() === k.toLowerCase());
          return key === undefined ? null : (o[key] ?? null);
        };
        let rows = input;
        const skip = b.named.get('Skip');
        if (skip !== undefined) rows = rows.slice(Number(skip));
        const first = b.named.get('First');
        if (first !== undefined) rows = rows.slice(0, Number(first));
        const last = b.named.get('Last');
        if (last !== undefined) rows = rows.slice(Math.max(0, rows.length - Number(last)));
        if (expand === undefined && props.length === 0) return rows;
        if (expand !== undefined) return rows.map((o) => get(o, expand));
        return rows.map((o) => Object.fromEntries(props.map((k) => [k, get(o, k)])) as PsObject);
      }
      case 'convertto-csv': {
        bind(call, { values: ['Delimiter'], switches: ['NoTypeInformation'], positional: [] });
        const objs = input.filter((o): o is PsObject => o !== null && typeof o === 'object' && !Array.isArray(o));
        const first = objs[0];
        if (first === undefined) return [];
        const q = (s: string | number | boolean | null): string => (s === null ? '' : `"${String(s).replace(/"/g, '""')}"`);
        const keys = Object.keys(first);
        return [keys.map(q).join(','), ...objs.map((o) => keys.map((k) => q(o[k] ?? null)).join(','))];
      }
      case 'get-service': {
        const b = bind(call, { values: ['Name'], switches: [], positional: ['Name'] });
        const state = readState(this.agentDir);
        const out: PsValue[] = [];
        for (const n of list(b.named.get('Name'))) {
          const s = state.services.find((x) => x.name.toLowerCase() === String(n).toLowerCase());
          if (s === undefined) {
            this.fail(new PsError('Get-Service', `Cannot find any service with service name '${String(n)}'.`, `ObjectNotFound: (${String(n)}:String) [Get-Service], ServiceCommandException`, 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand'), b);
            continue;
          }
          out.push({ Status: s.status, Name: s.name, DisplayName: s.name });
        }
        return out;
      }
      case 'set-content': {
        const b = bind(call, { values: ['LiteralPath', 'Path', 'Value', 'Encoding'], switches: ['Force'], positional: ['Path', 'Value'] });
        const p = str(b.named.get('LiteralPath') ?? b.named.get('Path')) ?? '';
        const local = this.file('Set-Content', p);
        if (!fs.existsSync(path.dirname(local))) {
          this.fail(new PsError('Set-Content', `Could not find a part of the path '${p}'.`, `ObjectNotFound: (${p}:String) [Set-Content], DirectoryNotFoundException`, 'GetContentWriterDirectoryNotFoundError,Microsoft.PowerShell.Commands.SetContentCommand'), b);
          return [];
        }
        const value = list(b.named.get('Value')).map(String).join('\r\n').replace(/\r?\n/g, '\r\n');
        const bom = String(b.named.get('Encoding') ?? '').toLowerCase() === 'utf8' ? '\uFEFF' : '';
        fs.writeFileSync(local, bom + value + '\r\n');
        recordEffect(this.agentDir, 'file-write', p);
        return [];
      }
      case 'add-content': {
        const b = bind(call, { values: ['LiteralPath', 'Path', 'Value', 'Encoding'], switches: [], positional: ['Path', 'Value'] });
        const p = str(b.named.get('LiteralPath') ?? b.named.get('Path')) ?? '';
        const local = this.file('Add-Content', p);
        if (!fs.existsSync(path.dirname(local))) {
          this.fail(new PsError('Add-Content', `Could not find a part of the path '${p}'.`, `ObjectNotFound: (${p}:String) [Add-Content], DirectoryNotFoundException`, 'GetContentWriterDirectoryNotFoundError,Microsoft.PowerShell.Commands.AddContentCommand'), b);
          return [];
        }
        // -Value, or each object from the pipeline, as one line.
        const values = b.named.has('Value') ? list(b.named.get('Value')) : input;
        fs.appendFileSync(local, values.map((v) => `${String(v)}\r\n`).join(''));
        recordEffect(this.agentDir, 'file-write', p);
        return [];
      }
      case 'get-date': {
        const b = bind(call, { values: ['Format', 'Date'], switches: [], positional: ['Date'] });
        const from = b.named.get('Date') ?? input[0];
        const at = from === undefined || from === null ? new Date() : new Date(String(from));
        if (String(b.named.get('Format') ?? '').toLowerCase() !== 'o') return [at.toString()];
        // The round-trip format: 7 digits of fraction (milliseconds + 0000) and the offset (UTC here: Z).
        return [at.toISOString().replace(/Z$/, '0000Z')];
      }
      case 'get-process': {
        const b = bind(call, { values: ['Id', 'Name'], switches: [], positional: ['Name'] });
        const out: PsValue[] = [];
        for (const id of list(b.named.get('Id'))) {
          const started = processStartTime(Number(id));
          if (started === undefined) {
            this.fail(new PsError('Get-Process', `Cannot find a process with the process identifier ${String(id)}.`, `ObjectNotFound: (${String(id)}:Int32) [Get-Process], ProcessCommandException`, 'NoProcessFoundForGivenId,Microsoft.PowerShell.Commands.GetProcessCommand'), b);
            continue;
          }
          out.push({ Id: Number(id), ProcessName: 'powershell', StartTime: started });
        }
        return out;
      }
      case 'invoke-wmimethod': {
        const b = bind(call, { values: ['Class', 'Name', 'ArgumentList', 'Path'], switches: [], positional: ['Class', 'Name'] });
        const cls = str(b.named.get('Class') ?? b.named.get('Path')) ?? '';
        if (cls.toLowerCase() !== 'win32_process' || (str(b.named.get('Name')) ?? '').toLowerCase() !== 'create') {
          throw new PsError('Invoke-WmiMethod', 'The Agent emulator only implements Win32_Process.Create.', 'NotImplemented: (:) [Invoke-WmiMethod]', 'NotImplemented');
        }
        const commandLine = str(list(b.named.get('ArgumentList'))[0] ?? null) ?? '';
        return [{ ...createProcess(this.agentDir, commandLine) }];
      }
      case 'new-item': {
        const b = bind(call, { values: ['ItemType', 'Path', 'Name', 'Value'], switches: ['Force'], positional: ['Path'] });
        const p = str(b.named.get('Path')) ?? '';
        const local = this.file('New-Item', p);
        const itemType = String(b.named.get('ItemType') ?? '').toLowerCase();
        if (itemType === 'file') {
          // New-Item -ItemType File without -Force fails when the file exists: creation is the test-and-set.
          if (!fs.existsSync(path.dirname(local))) {
            this.fail(new PsError('New-Item', `Could not find a part of the path '${p}'.`, `WriteError: (${p}:String) [New-Item], DirectoryNotFoundException`, 'NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand'), b);
            return [];
          }
          const value = str(b.named.get('Value')) ?? '';
          try {
            fs.writeFileSync(local, value === '' ? '' : `${value}\r\n`, { flag: b.switches.has('Force') ? 'w' : 'wx' });
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
            this.fail(new PsError('New-Item', `The file '${p}' already exists.`, `WriteError: (${p}:String) [New-Item], IOException`, 'NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand'), b);
            return [];
          }
          recordEffect(this.agentDir, 'file-write', p);
          return [{ Name: path.basename(local), FullName: p }];
        }
        if (itemType !== 'directory') {
          throw new PsError('New-Item', 'The Agent emulator only creates files and directories.', 'NotImplemented: (:) [New-Item]', 'NotImplemented');
        }
        if (fs.existsSync(local) && !b.switches.has('Force')) {
          this.fail(new PsError('New-Item', `An item with the specified name ${p} already exists.`, `ResourceExists: (${p}:String) [New-Item], IOException`, 'DirectoryExist,Microsoft.PowerShell.Commands.NewItemCommand'), b);
          return [];
        }
        fs.mkdirSync(local, { recursive: true });
        return [{ Name: path.basename(local), FullName: p }];
      }
      case 'remove-item': {
        const b = bind(call, { values: ['LiteralPath', 'Path'], switches: ['Force', 'Recurse'], positional: ['Path'] });
        const p = str(b.named.get('LiteralPath') ?? b.named.get('Path')) ?? '';
        const local = this.file('Remove-Item', p);
        if (!fs.existsSync(local)) this.fail(notFound('Remove-Item', p, 'RemoveItemCommand'), b);
        else fs.rmSync(local, { recursive: b.switches.has('Recurse'), force: true });
        return [];
      }
      case 'out-null':
        return [];
      case 'write-output':
      case 'echo': {
        return call.args.flatMap((a) => (a.kind === 'value' ? list(a.value) : [`-${a.name}`]));
      }
      case 'start-sleep': {
        const b = bind(call, { values: ['Seconds', 'Milliseconds'], switches: [], positional: ['Seconds'] });
        const ms = b.named.has('Milliseconds') ? Number(b.named.get('Milliseconds')) : Number(b.named.get('Seconds') ?? 0) * 1000;
        await new Promise((r) => setTimeout(r, ms));
        return [];
      }
      case 'start-process': {
        const b = bind(call, {
          values: ['FilePath', 'ArgumentList', 'WorkingDirectory', 'RedirectStandardOutput', 'RedirectStandardError'],
          switches: ['Wait', 'PassThru', 'NoNewWindow'],
          positional: ['FilePath', 'ArgumentList'],
        });
        const file = str(b.named.get('FilePath')) ?? '';
        // Windows PowerShell 5.1 joins -ArgumentList with spaces and the program splits the line again.
        const argLine = list(b.named.get('ArgumentList')).map(String).join(' ');
        const argv = splitWindowsCommandLine(argLine);
        if (b.named.has('RedirectStandardOutput') || b.named.has('RedirectStandardError')) {
          // A console program whose output goes to files (the job wrapper's way of running its command).
          const code = await runRedirected(this.agentDir, file, argLine, str(b.named.get('RedirectStandardOutput')), str(b.named.get('RedirectStandardError')));
          if (code === undefined) {
            throw new PsError('Start-Process', 'This command cannot be run due to the error: The system cannot find the file specified.', 'InvalidOperation: (:) [Start-Process], InvalidOperationException', 'InvalidOperationException,Microsoft.PowerShell.Commands.StartProcessCommand');
          }
          return b.switches.has('PassThru') ? [{ Id: process.pid, ExitCode: code }] : [];
        }
        // The lab's programs can be made slow, so that a test interrupts a step before or after its effect.
        await programDelay(this.agentDir);
        const result = this.program(file, argv);
        if (result !== undefined) await programDelay(this.agentDir);
        if (result === undefined) {
          throw new PsError('Start-Process', 'This command cannot be run due to the error: The system cannot find the file specified.', 'InvalidOperation: (:) [Start-Process], InvalidOperationException', 'InvalidOperationException,Microsoft.PowerShell.Commands.StartProcessCommand');
        }
        // A GUI-subsystem program's own output is not connected to the console; only its exit code comes back.
        return b.switches.has('PassThru') ? [{ Id: process.pid + 1, ExitCode: b.switches.has('Wait') ? result.exitCode : null }] : [];
      }
      default:
        throw new PsError(call.name, `The term '${call.name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`, `ObjectNotFound: (${call.name}:String) [], CommandNotFoundException`, 'CommandNotFoundException');
    }
  }

  /** The programs an Agent has, by path or name. */
  private program(file: string, argv: string[]): ProgramResult | undefined {
    const state = readState(this.agentDir);
    const lower = file.toLowerCase();
    if (lower === state.taskbarUtility.toLowerCase()) return taskbarUtility(this.agentDir, argv);
    if (lower === 'msiexec.exe' || lower === 'msiexec' || lower === 'c:\\windows\\system32\\msiexec.exe') return msiexec(this.agentDir, argv);
    return undefined;
  }

  private async native(call: CommandCall): Promise<PsValue[]> {
    const argv = call.args.map((a) => (a.kind === 'param' ? `-${a.name}` : list(a.value).map(String).join(',')));
    const lower = call.name.toLowerCase();
    if (lower === 'powershell.exe' || lower === 'powershell') {
      const code = await powershellExe(this.agentDir, this.io, argv);
      this.vars.set('lastexitcode', code);
      return [];
    }
    const result = this.program(call.name, argv);
    if (result === undefined) {
      throw new PsError(call.name, `The term '${call.name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`, `ObjectNotFound: (${call.name}:String) [], CommandNotFoundException`, 'CommandNotFoundException');
    }
    this.vars.set('lastexitcode', result.exitCode);
    for (const l of result.stdout ?? []) this.io.out(l);
    for (const l of result.stderr ?? []) this.io.err(l);
    return [];
  }
}

/** What decoding the command of a powershell.exe invocation yields (for the call record and fault matching). */
export function powershellScript(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = (argv[i] as string).toLowerCase();
    if (a === '-encodedcommand' || a === '-enc' || a === '-e') return Buffer.from(argv[i + 1] ?? '', 'base64').toString('utf16le');
    if (a === '-command' || a === '-c') return argv.slice(i + 1).join(' ');
  }
  return undefined;
}

/** powershell.exe: runs -EncodedCommand/-Command and returns its exit code. */
export async function powershellExe(agentDir: string, io: Io, argv: readonly string[]): Promise<number> {
  const known = new Set(['-nologo', '-noprofile', '-noninteractive', '-executionpolicy', '-inputformat', '-outputformat', '-encodedcommand', '-command', '-enc', '-c', '-e', '-file']);
  for (let i = 0; i < argv.length; i++) {
    const a = (argv[i] as string).toLowerCase();
    if (!a.startsWith('-')) continue;
    if (!known.has(a)) {
      io.err(`-${a.slice(1)} : The term '-${a.slice(1)}' is not recognized as a parameter of powershell.exe.`);
      return 1;
    }
    if (a === '-executionpolicy' || a === '-inputformat' || a === '-outputformat') i++;
    if (a === '-encodedcommand' || a === '-enc' || a === '-e' || a === '-command' || a === '-c') break;
    if (a === '-file') {
      // -File <script>: runs the script file; its `exit n` is powershell.exe's exit code.
      const file = argv[i + 1] ?? '';
      const local = hostPath(agentDir, file);
      if (local === undefined || !fs.existsSync(local)) {
        io.err(`The argument '${file}' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an argument to the -File parameter.`);
        return 4294770688 | 0;
      }
      return new PsSession(agentDir, io).run(fs.readFileSync(local, 'utf8').replace(/^\uFEFF/, ''));
    }
  }
  const script = powershellScript(argv);
  if (script === undefined) {
    io.err('Windows PowerShell: no -Command or -EncodedCommand given (interactive sessions are not emulated).');
    return 1;
  }
  return new PsSession(agentDir, io).run(script);
}
