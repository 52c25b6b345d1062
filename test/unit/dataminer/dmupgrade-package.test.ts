import * as assert from 'assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
import * as yazl from 'yazl';
import { inspectPackage, localPackageTool, PackageFileError, writeFixedCopy } from '../../../src/adapters/local/dmupgrade-package';

type Content = string | Buffer | { file: string };

function writeZip(file: string, entries: Array<[string, Content | null]>): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, c] of entries) {
      if (c === null) z.addEmptyDirectory(name);
      else if (typeof c === 'object' && !Buffer.isBuffer(c)) z.addFile(c.file, name);
      else z.addBuffer(Buffer.from(c), name);
    }
    z.outputStream.pipe(fs.createWriteStream(file)).on('close', () => resolve()).on('error', reject);
    z.end();
  });
}

function listZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err !== null || zip === undefined) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) {
          out.set(e.fileName, Buffer.alloc(0));
          return zip.readEntry();
        }
        zip.openReadStream(e, (err2, s) => {
          if (err2 !== null) return reject(err2);
          const parts: Buffer[] = [];
          s.on('data', (d: Buffer) => parts.push(d));
          s.on('end', () => {
            out.set(e.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

describe('DataMiner upgrade packages on this machine', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-pkg-test-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function makePackage(name: string, withDll: boolean, extra: Array<[string, Content | null]> = []): Promise<string> {
    const update = path.join(dir, `${name}.update.zip`);
    await writeZip(update, [
      ['Prerequisites/', null],
      ...(withDll ? ([['Prerequisites/VerifyNatsIsRunning.dll', 'MZ nats check']] as Array<[string, Content]>) : []),
      ['Prerequisites/VerifyDotNetVersion.dll', 'MZ dotnet check'],
      ['Files/SLNet.exe', 'MZ slnet'],
    ]);
    const file = path.join(dir, name);
    await writeZip(file, [['Update.zip', { file: update }], ...extra]);
    return file;
  }

  it('reads a package: Update.zip entries, the VerifyNatsIsRunning.dll, the version its names reveal', async () => {
    const file = await makePackage('DataMiner 10.3.0 CU21.dmupgrade', true, [['10.3.0.21-13901-20240801-release.txt', 'x']]);
    const r = await inspectPackage(file);
    assert.strictEqual(r.hasVerifyNatsIsRunning, true);
    assert.strictEqual(r.updateZipEntries, 4);
    assert.strictEqual(r.version, '10.3.0.21-13901-20240801-release');
    assert.match(r.versionSource ?? '', /^entry /);
  });

  it('falls back to the file name for the version, and reports none when nothing reveals it', async () => {
    assert.strictEqual((await inspectPackage(await makePackage('DataMiner 10.3.9_CU1.dmupgrade', false))).version, '10.3.9 CU1');
    const plain = await inspectPackage(await makePackage('full.dmupgrade', false));
    assert.strictEqual(plain.version, undefined);
    assert.strictEqual(plain.hasVerifyNatsIsRunning, false);
  });

  it('refuses files that are not packages, naming the file', async () => {
    const notZip = path.join(dir, 'notes.dmupgrade');
    fs.writeFileSync(notZip, 'hello');
    await assert.rejects(inspectPackage(notZip), (e: Error) => e instanceof PackageFileError && e.message.startsWith(notZip) && /not a readable zip/.test(e.message));
    const noUpdate = path.join(dir, 'other.zip');
    await writeZip(noUpdate, [['a.txt', 'a']]);
    await assert.rejects(inspectPackage(noUpdate), /has no Update\.zip/);
    await assert.rejects(inspectPackage(path.join(dir, 'missing.dmupgrade')), /cannot be read \(ENOENT\)/);
  });

  it('writes a fixed copy without the DLL, everything else byte for byte, and leaves the original untouched', async () => {
    const file = await makePackage('DataMiner 10.3.0.dmupgrade', true, [['Docs/', null], ['Docs/readme.txt', 'read me']]);
    const before = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const dest = path.join(dir, 'fixed.dmupgrade');
    const r = await writeFixedCopy(file, dest);
    assert.strictEqual(r.removed, 1);
    assert.strictEqual(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'), before);
    assert.strictEqual((await inspectPackage(dest)).hasVerifyNatsIsRunning, false);
    const outer = await listZip(dest);
    assert.deepStrictEqual([...outer.keys()].sort(), ['Docs/', 'Docs/readme.txt', 'Update.zip']);
    const innerFile = path.join(dir, 'inner-check.zip');
    fs.writeFileSync(innerFile, outer.get('Update.zip') as Buffer);
    const inner = await listZip(innerFile);
    assert.deepStrictEqual([...inner.keys()].sort(), ['Files/SLNet.exe', 'Prerequisites/', 'Prerequisites/VerifyDotNetVersion.dll']);
    assert.strictEqual(inner.get('Files/SLNet.exe')?.toString(), 'MZ slnet');
    assert.ok(!fs.existsSync(`${dest}.partial`));
  });

  it('refuses to overwrite the original and says when there is nothing to fix', async () => {
    const file = await makePackage('p.dmupgrade', true);
    await assert.rejects(writeFixedCopy(file, file), /must not replace the original/);
    await assert.rejects(writeFixedCopy(await makePackage('q.dmupgrade', false), path.join(dir, 'q2.dmupgrade')), /nothing to fix/);
  });

  it('streams a large package: memory stays far below its size', async function () {
    this.timeout(60_000);
    const big = path.join(dir, 'big.bin');
    const chunk = crypto.randomBytes(1024 * 1024);
    const fd = fs.openSync(big, 'w');
    for (let i = 0; i < 96; i++) fs.writeSync(fd, chunk.map((b, j) => b ^ ((i * 31 + j) & 0xff)));
    fs.closeSync(fd);
    const file = await makePackage('big.dmupgrade', true, [['Files/big.bin', { file: big }]]);
    fs.rmSync(big);
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      await writeFixedCopy(file, path.join(dir, 'big-fixed.dmupgrade'));
    } finally {
      clearInterval(timer);
    }
    assert.ok(fs.statSync(path.join(dir, 'big-fixed.dmupgrade')).size > 90 * 1024 * 1024);
    assert.ok(peak - base < 64 * 1024 * 1024, `rss grew by ${Math.round((peak - base) / 1048576)} MB for a 96 MB package`);
  });

  it('gives the run a local command that makes the fixed copy with this file', () => {
    const a = localPackageTool.fixCommand('/a/p.dmupgrade', '/a/p.fixed.dmupgrade');
    assert.strictEqual(a.argv[0], process.execPath);
    assert.match(a.argv[1] ?? '', /dmupgrade-package\.js$/);
    assert.deepStrictEqual(a.argv.slice(2), ['fix', '/a/p.dmupgrade', '/a/p.fixed.dmupgrade']);
  });
});
