// A lab upgrade package in the vendor's form: a zip whose Update.zip holds the files and, under Prerequisites\, the
// checks (dataminer-docs: a .dmupgrade renamed to .zip shows Update.zip\Prerequisites), with an entry named after the
// build string (the lab's convention, which both Backout's package reader and the Agent emulator read). For local
// packages the run inspects, fixes and uploads.
import * as fs from 'node:fs';
import * as yazl from 'yazl';

function zip(file: string, entries: ReadonlyArray<[string, Buffer]>): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, content] of entries) z.addBuffer(content, name);
    z.outputStream.pipe(fs.createWriteStream(file)).on('close', () => resolve()).on('error', reject);
    z.end();
  });
}

export async function writeZipPackage(file: string, build: string, prerequisites: readonly string[]): Promise<void> {
  const update = `${file}.Update.zip`;
  await zip(update, [...prerequisites.map((p): [string, Buffer] => [`Prerequisites/${p}.dll`, Buffer.from(`MZ lab ${p}`)]), ['Files/SLNet.exe', Buffer.from('MZ lab')]]);
  try {
    await zip(file, [['Update.zip', fs.readFileSync(update)], [`${build}.txt`, Buffer.from(build)]]);
  } finally {
    fs.rmSync(update, { force: true });
  }
}
