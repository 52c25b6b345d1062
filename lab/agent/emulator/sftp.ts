// The Agent's SFTP subsystem: SFTP version 3 over stdin/stdout, with paths as Windows OpenSSH's sftp-server shows
// them (/C:/Skyline DataMiner/...), mapped onto the Agent's emulated C: drive. sshd starts subsystems through the
// user's shell, so the lab configures `Subsystem sftp backout-lab-sftp` and the emulator serves it here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostPath, recordCall } from './state';

export const SFTP_SUBSYSTEM = 'backout-lab-sftp';

const T = { INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7, FSTAT: 8, SETSTAT: 9, FSETSTAT: 10, OPENDIR: 11, READDIR: 12, REMOVE: 13, MKDIR: 14, RMDIR: 15, REALPATH: 16, STAT: 17, RENAME: 18, STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105 } as const;
const S = { OK: 0, EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, BAD_MESSAGE: 5, OP_UNSUPPORTED: 8 } as const;

class Reader {
  private o = 0;
  constructor(private readonly b: Buffer) {}
  u8(): number {
    return this.b.readUInt8(this.o++);
  }
  u32(): number {
    const v = this.b.readUInt32BE(this.o);
    this.o += 4;
    return v;
  }
  u64(): number {
    const v = Number(this.b.readBigUInt64BE(this.o));
    this.o += 8;
    return v;
  }
  bytes(): Buffer {
    const n = this.u32();
    const v = this.b.subarray(this.o, this.o + n);
    this.o += n;
    return v;
  }
  str(): string {
    return this.bytes().toString('utf8');
  }
  attrs(): void {
    const flags = this.u32();
    if (flags & 1) this.u64();
    if (flags & 2) this.o += 8;
    if (flags & 4) this.o += 4;
    if (flags & 8) this.o += 8;
    if (flags & 0x80000000) {
      const n = this.u32();
      for (let i = 0; i < n; i++) {
        this.bytes();
        this.bytes();
      }
    }
  }
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
function sshString(v: string | Buffer): Buffer {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  return Buffer.concat([u32(b.length), b]);
}
function attrs(st: fs.Stats): Buffer {
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(st.size));
  const mode = (st.isDirectory() ? 0o040000 : 0o100000) | 0o666;
  return Buffer.concat([u32(1 | 4 | 8), size, u32(mode), u32(Math.floor(st.atimeMs / 1000)), u32(Math.floor(st.mtimeMs / 1000))]);
}

/** /C:/a/b or C:/a/b -> C:\a\b */
function windowsPath(p: string): string {
  return p.replace(/^\/(?=[A-Za-z]:)/, '').replace(/\//g, '\\');
}

export async function serveSftp(agentDir: string): Promise<number> {
  const handles = new Map<string, { fd?: number; dir?: string[]; path: string }>();
  let next = 1;
  const send = (type: number, id: number | undefined, ...parts: Buffer[]): void => {
    const body = Buffer.concat([Buffer.from([type]), ...(id === undefined ? [] : [u32(id)]), ...parts]);
    process.stdout.write(Buffer.concat([u32(body.length), body]));
  };
  const status = (id: number, code: number, msg: string): void => send(T.STATUS, id, u32(code), sshString(msg), sshString(''));
  const local = (p: string): string | undefined => hostPath(agentDir, windowsPath(p));
  const errStatus = (id: number, err: unknown): void => {
    const code = (err as NodeJS.ErrnoException).code;
    status(id, code === 'ENOENT' ? S.NO_SUCH_FILE : code === 'EACCES' ? S.PERMISSION_DENIED : S.FAILURE, code === 'ENOENT' ? 'No such file' : 'Failure');
  };

  const handle = (type: number, r: Reader): void => {
    if (type === T.INIT) {
      send(T.VERSION, undefined, u32(3));
      return;
    }
    const id = r.u32();
    try {
      switch (type) {
        case T.OPEN: {
          const p = r.str();
          const pflags = r.u32();
          r.attrs();
          const l = local(p);
          if (l === undefined) return status(id, S.NO_SUCH_FILE, 'No such file');
          let flags = pflags & 2 ? (pflags & 1 ? 'r+' : 'w') : 'r';
          if (pflags & 2 && !(pflags & 0x10) && fs.existsSync(l)) flags = 'r+';
          if (pflags & 4) flags = 'a';
          const fd = fs.openSync(l, flags);
          const h = String(next++);
          handles.set(h, { fd, path: p });
          if (pflags & 2) recordCall(agentDir, { sftp: 'open-write', path: windowsPath(p) });
          return send(T.HANDLE, id, sshString(h));
        }
        case T.CLOSE: {
          const h = handles.get(r.str());
          if (h?.fd !== undefined) fs.closeSync(h.fd);
          return status(id, S.OK, 'Success');
        }
        case T.READ: {
          const h = handles.get(r.str());
          const offset = r.u64();
          const len = Math.min(r.u32(), 256 * 1024);
          if (h?.fd === undefined) return status(id, S.FAILURE, 'Bad handle');
          const buf = Buffer.alloc(len);
          const n = fs.readSync(h.fd, buf, 0, len, offset);
          if (n === 0) return status(id, S.EOF, 'End of file');
          return send(T.DATA, id, sshString(buf.subarray(0, n)));
        }
        case T.WRITE: {
          const h = handles.get(r.str());
          const offset = r.u64();
          const data = r.bytes();
          if (h?.fd === undefined) return status(id, S.FAILURE, 'Bad handle');
          fs.writeSync(h.fd, data, 0, data.length, offset);
          return status(id, S.OK, 'Success');
        }
        case T.STAT:
        case T.LSTAT: {
          const l = local(r.str());
          if (l === undefined) return status(id, S.NO_SUCH_FILE, 'No such file');
          return send(T.ATTRS, id, attrs(fs.statSync(l)));
        }
        case T.FSTAT: {
          const h = handles.get(r.str());
          if (h?.fd === undefined) return status(id, S.FAILURE, 'Bad handle');
          return send(T.ATTRS, id, attrs(fs.fstatSync(h.fd)));
        }
        case T.SETSTAT:
        case T.FSETSTAT:
          return status(id, S.OK, 'Success');
        case T.OPENDIR: {
          const p = r.str();
          const l = local(p);
          if (l === undefined) return status(id, S.NO_SUCH_FILE, 'No such file');
          const h = String(next++);
          handles.set(h, { dir: fs.readdirSync(l), path: l });
          return send(T.HANDLE, id, sshString(h));
        }
        case T.READDIR: {
          const h = handles.get(r.str());
          if (h?.dir === undefined) return status(id, S.FAILURE, 'Bad handle');
          const batch = h.dir.splice(0, 100);
          if (batch.length === 0) return status(id, S.EOF, 'End of file');
          const entries = batch.map((name) => Buffer.concat([sshString(name), sshString(name), attrs(fs.statSync(path.join(h.path, name)))]));
          return send(T.NAME, id, u32(batch.length), ...entries);
        }
        case T.REMOVE: {
          const l = local(r.str());
          if (l === undefined) return status(id, S.NO_SUCH_FILE, 'No such file');
          fs.unlinkSync(l);
          return status(id, S.OK, 'Success');
        }
        case T.MKDIR: {
          const l = local(r.str());
          if (l === undefined) return status(id, S.NO_SUCH_FILE, 'No such file');
          fs.mkdirSync(l);
          return status(id, S.OK, 'Success');
        }
        case T.RMDIR: {
          const l = local(r.str());
          if (l === undefined) return status(id, S.NO_SUCH_FILE, 'No such file');
          fs.rmdirSync(l);
          return status(id, S.OK, 'Success');
        }
        case T.RENAME: {
          const from = local(r.str());
          const to = local(r.str());
          if (from === undefined || to === undefined) return status(id, S.NO_SUCH_FILE, 'No such file');
          fs.renameSync(from, to);
          return status(id, S.OK, 'Success');
        }
        case T.REALPATH: {
          const p = r.str();
          const win = windowsPath(p === '.' || p === '' ? 'C:/Users' : p);
          const shown = '/' + win.replace(/\\/g, '/');
          return send(T.NAME, id, u32(1), sshString(shown), sshString(shown), u32(0));
        }
        default:
          return status(id, S.OP_UNSUPPORTED, 'Operation unsupported');
      }
    } catch (err) {
      errStatus(id, err);
    }
  };

  let buffered = Buffer.alloc(0);
  for await (const chunk of process.stdin) {
    buffered = Buffer.concat([buffered, chunk as Buffer]);
    while (buffered.length >= 4) {
      const len = buffered.readUInt32BE(0);
      if (buffered.length < 4 + len) break;
      const packet = buffered.subarray(4, 4 + len);
      buffered = buffered.subarray(4 + len);
      handle(packet[0] as number, new Reader(packet.subarray(1)));
    }
  }
  for (const h of handles.values()) if (h.fd !== undefined) fs.closeSync(h.fd);
  return 0;
}
