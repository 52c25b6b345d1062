// The length of a file on an Agent, as a rendered command and the output that proves a complete upload. An upload is
// written under a temporary name and renamed when complete, so the final name with the expected length is the whole
// package. Rendered with the helpers of windows-commands.ts (the SSH layer's catalogue, kept as it is).
import * as win from '../../core/dataminer/windows-commands';

/**
 * `"Name","Length"` as CSV for the file, no row when it is absent. The file is found by listing its folder filtered to
 * its name (names cannot hold the wildcards * and ?, so the filter matches that name only); the Name column is
 * still checked, since Windows also matches a filter against 8.3 short names.
 */
export function fileLength(path: string, shell: win.DefaultShell): win.RenderedCommand {
  const file = win.checkWindowsPath('file path', path);
  const cut = file.lastIndexOf('\\');
  const folder = cut === 2 ? file.slice(0, 3) : file.slice(0, cut);
  const name = win.checkFileName('file name', file.slice(cut + 1));
  const body =
    `Get-ChildItem -LiteralPath ${win.psLiteral(folder)} -File -Filter ${win.psLiteral(name)}` +
    ' | Select-Object Name, Length | ConvertTo-Csv -NoTypeInformation';
  return win.renderLine('file-length', body, shell);
}

function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What the output of fileLength() must match (multiline): the file's row with exactly `bytes`, or with any length
 * above zero when the size is only known at run time (a fixed copy made by an earlier step).
 */
export function fileLengthPattern(name: string, bytes?: number): string {
  const length = bytes === undefined ? '[1-9][0-9]*' : String(bytes);
  return `^"${regexEscape(name)}","${length}"\\s*$`;
}
