// cmd.exe as Windows OpenSSH's DefaultShell runs a command (`cmd.exe /c <line>`): %VAR% expansion everywhere (also
// inside quotes), the operators & && || | outside quotes with ^ as escape, then each command by its first word.
// Only the commands an Agent session meets are known; anything else is "not recognized" with exit code 9009, so an
// injected command shows up as exactly that.
import { splitWindowsCommandLine } from './argv';
import { powershellExe, Io } from './runtime';

export function cmdEnvironment(computerName: string, user: string): Record<string, string> {
  return {
    OS: 'Windows_NT',
    COMSPEC: 'C:\\Windows\\system32\\cmd.exe',
    SYSTEMROOT: 'C:\\Windows',
    WINDIR: 'C:\\Windows',
    PROGRAMFILES: 'C:\\Program Files',
    'PROGRAMFILES(X86)': 'C:\\Program Files (x86)',
    PROGRAMDATA: 'C:\\ProgramData',
    COMPUTERNAME: computerName.toUpperCase(),
    USERNAME: user,
    USERPROFILE: `C:\\Users\\${user}`,
    TEMP: `C:\\Users\\${user}\\AppData\\Local\\Temp`,
  };
}

/** %NAME% -> value (case-insensitive); undefined names stay as written, as in `cmd /c`. */
export function expandPercent(line: string, env: Record<string, string>): string {
  return line.replace(/%([^%\r\n]+)%/g, (whole, name: string) => env[name.toUpperCase()] ?? whole);
}

export interface CmdPart {
  text: string;
  /** The operator that joins this part to the previous one. */
  joiner: '' | '&' | '&&' | '||' | '|';
}

/** Splits on unquoted operators; `^x` outside quotes is a literal x. */
export function splitOperators(line: string): CmdPart[] {
  const parts: CmdPart[] = [];
  let text = '';
  let joiner: CmdPart['joiner'] = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '"') {
      quoted = !quoted;
      text += ch;
    } else if (!quoted && ch === '^') {
      i++;
      text += line[i] ?? '';
    } else if (!quoted && (ch === '&' || ch === '|')) {
      parts.push({ text, joiner });
      const double = line[i + 1] === ch;
      joiner = (double ? ch + ch : ch) as CmdPart['joiner'];
      if (double) i++;
      text = '';
    } else text += ch;
  }
  parts.push({ text, joiner });
  return parts;
}

function firstWord(text: string): { word: string; rest: string } {
  const t = text.replace(/^[\s@]+/, '');
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    return end < 0 ? { word: t.slice(1), rest: '' } : { word: t.slice(1, end), rest: t.slice(end + 1) };
  }
  const m = /^(\S*)(.*)$/s.exec(t);
  return { word: m?.[1] ?? '', rest: m?.[2] ?? '' };
}

const POWERSHELL_NAMES = new Set(['powershell', 'powershell.exe', 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe']);

/** Runs one command line as cmd.exe would; returns %ERRORLEVEL% at the end. */
export async function runCmdLine(agentDir: string, io: Io, line: string, env: Record<string, string>): Promise<number> {
  let level = 0;
  for (const part of splitOperators(expandPercent(line, env))) {
    if (part.joiner === '&&' && level !== 0) continue;
    if (part.joiner === '||' && level === 0) continue;
    if (/[<>]/.test(part.text.replace(/"[^"]*"/g, ''))) {
      io.err('The syntax of the command is incorrect.');
      level = 1;
      continue;
    }
    const { word, rest } = firstWord(part.text);
    const name = word.toLowerCase();
    if (name === '') continue;
    if (name === 'echo') {
      io.out(rest.replace(/^[ \t]/, ''));
      level = 0;
    } else if (name === 'ver') {
      io.out('');
      io.out('Microsoft Windows [Version 10.0.20348.2340]');
      level = 0;
    } else if (name === 'exit') {
      const m = /(-?\d+)\s*$/.exec(rest);
      return m?.[1] === undefined ? level : Number(m[1]) | 0;
    } else if (POWERSHELL_NAMES.has(name)) {
      level = await powershellExe(agentDir, io, splitWindowsCommandLine(rest));
    } else {
      io.err(`'${word}' is not recognized as an internal or external command,`);
      io.err('operable program or batch file.');
      level = 9009;
    }
  }
  return level;
}
