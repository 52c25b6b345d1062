// The run host's socket: questions that need a person mid-run and must not go through a file (a password, a key's
// passphrase, an unknown host key) are asked over a local socket (a named pipe on Windows) that only the run's owner
// can open: it lives in the run folder (0700), is made 0600, and a file in the folder's control/ names it. Whoever
// attaches (`backout attach`, VS Code) connects, says who it is, and answers; the run host checks each answer against
// the question it asked. Nothing said on the socket is written anywhere.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONTROL_DIR } from './run-control';
import { FILE_MODE, FOLDER_MODE } from './run-folder';

/** control/endpoint: the path of the socket (or the name of the pipe) a client connects to. */
export const ENDPOINT_FILE = 'endpoint';
/**
 * Each run host binds a socket of its own name: a host that is still closing (after its run ended and its lock was
 * released) unlinks its path as it closes, which would take away the socket of the host that resumed the run meanwhile.
 */
const socketName = (): string => `host-${randomBytes(6).toString('hex')}.sock`;
const SOCKET_PATTERN = /^host(-[0-9a-f]+)?\.sock$/;
/** sun_path is 108 bytes on Linux, 104 on macOS: a longer path cannot be bound, so the socket goes to a private folder. */
const MAX_SOCKET_PATH = 100;
/** A line longer than this is not a message of this protocol: the connection is closed. */
const MAX_LINE = 64 * 1024;

export type SocketQuestion =
  | { id: string; kind: 'secret'; title: string; prompt: string; name?: string }
  | { id: string; kind: 'confirm'; title: string; target: string; detail?: string }
  | { id: string; kind: 'pick'; title: string; detail?: string; options: Array<{ value: string; label: string; description?: string }> };

/** What a question is without its id (the run host gives the id). */
export type SocketQuestionBody = SocketQuestion extends infer Q ? (Q extends SocketQuestion ? Omit<Q, 'id'> : never) : never;

export type HostMessage = { t: 'ask'; question: SocketQuestion } | { t: 'settled'; id: string } | { t: 'refused'; id: string; problem: string };
/** `value` absent: the person declined. */
export type ClientMessage = { t: 'hello'; by: string; via: string } | { t: 'answer'; id: string; value?: string };

export interface SocketAnswer {
  /** Undefined when declined. */
  value: string | undefined;
  by: string;
  via: string;
}

function isClientMessage(v: unknown): v is ClientMessage {
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) return false;
  if (o.t === 'hello') return typeof o.by === 'string' && o.by !== '' && typeof o.via === 'string' && o.via !== '';
  return o.t === 'answer' && typeof o.id === 'string' && (o.value === undefined || typeof o.value === 'string');
}

function isHostMessage(v: unknown): v is HostMessage {
  const o = v as Record<string, unknown> | null;
  if (typeof o === 'object' && o !== null && o.t === 'ask') {
    const q = o.question as Record<string, unknown> | null;
    return typeof q === 'object' && q !== null && typeof q.id === 'string' && (q.kind === 'secret' || q.kind === 'confirm' || q.kind === 'pick') && typeof q.title === 'string';
  }
  return typeof o === 'object' && o !== null && (o.t === 'settled' || o.t === 'refused') && typeof o.id === 'string';
}

/** Why an answer is not accepted for the question, or undefined when it is (a decline is always accepted). */
export function socketAnswerProblem(q: SocketQuestion, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (q.kind === 'confirm' && value !== 'yes' && value !== 'no') return 'a confirmation is answered "yes" or "no"';
  if (q.kind === 'pick' && !q.options.some((o) => o.value === value)) return `"${value}" is not one of the choices`;
  if (q.kind === 'secret' && value === '') return 'an empty value is not a secret (decline instead)';
  return undefined;
}

/** Splits a stream into JSON lines; a line that is too long or not JSON ends the connection. */
function readLines(socket: net.Socket, onMessage: (v: unknown) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        onMessage(JSON.parse(line) as unknown);
      } catch {
        socket.destroy();
        return;
      }
    }
    if (buffer.length > MAX_LINE) socket.destroy();
  });
}

function send(socket: net.Socket, message: HostMessage | ClientMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

interface Pending {
  question: SocketQuestion;
  resolve(answer: SocketAnswer): void;
}

interface Client {
  socket: net.Socket;
  hello?: { by: string; via: string };
}

export interface RunSocketServerOptions {
  /** Told when a question waits with nobody attached, and about answers refused (for the journal). */
  notice(message: string): void;
}

/** The run host's end: asks questions of whoever is attached and waits for an accepted answer. */
export class RunSocketServer {
  private readonly pending = new Map<string, Pending>();
  private readonly clients = new Set<Client>();
  private privateDir: string | undefined;

  private constructor(
    private readonly server: net.Server,
    readonly endpoint: string,
    private readonly endpointFile: string,
    private readonly options: RunSocketServerOptions,
  ) {}

  /** Listens in `runLocation` (which must exist) and names the endpoint in control/endpoint. */
  static async listen(runLocation: string, options: RunSocketServerOptions): Promise<RunSocketServer> {
    const control = path.join(runLocation, CONTROL_DIR);
    fs.mkdirSync(control, { recursive: true, mode: FOLDER_MODE });
    let endpoint: string;
    let privateDir: string | undefined;
    if (process.platform === 'win32') {
      // A named pipe has no place in a folder; its random name is known only through the 0600 endpoint file.
      endpoint = `\\\\.\\pipe\\backout-${randomBytes(12).toString('hex')}`;
    } else {
      const name = socketName();
      endpoint = path.join(control, name);
      if (Buffer.byteLength(endpoint) > MAX_SOCKET_PATH) {
        privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-'));
        fs.chmodSync(privateDir, FOLDER_MODE);
        endpoint = path.join(privateDir, name);
      }
      // Sockets left by earlier run hosts of this run (this one owns the run's lock: they are gone or going).
      for (const old of fs.readdirSync(control)) if (SOCKET_PATTERN.test(old)) fs.rmSync(path.join(control, old), { force: true });
    }
    const server = net.createServer();
    const self = new RunSocketServer(server, endpoint, path.join(control, ENDPOINT_FILE), options);
    self.privateDir = privateDir;
    server.on('connection', (socket) => self.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(endpoint, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (process.platform !== 'win32') fs.chmodSync(endpoint, FILE_MODE);
    const tmp = `${self.endpointFile}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, endpoint, { mode: FILE_MODE });
    fs.renameSync(tmp, self.endpointFile);
    return self;
  }

  /** How many clients have said who they are. */
  get attached(): number {
    return [...this.clients].filter((c) => c.hello).length;
  }

  private accept(socket: net.Socket): void {
    const client: Client = { socket };
    this.clients.add(client);
    socket.on('error', () => undefined);
    socket.on('close', () => this.clients.delete(client));
    readLines(socket, (message) => {
      if (!isClientMessage(message)) {
        socket.destroy();
        return;
      }
      if (message.t === 'hello') {
        client.hello = { by: message.by, via: message.via };
        for (const p of this.pending.values()) send(socket, { t: 'ask', question: p.question });
        return;
      }
      const p = this.pending.get(message.id);
      if (!client.hello) {
        socket.destroy();
        return;
      }
      if (!p) {
        send(socket, { t: 'refused', id: message.id, problem: 'this question is no longer asked' });
        return;
      }
      const problem = socketAnswerProblem(p.question, message.value);
      if (problem) {
        this.options.notice(`Refused an answer from ${client.hello.by} (${client.hello.via}) to "${p.question.title}": ${problem}.`);
        send(socket, { t: 'refused', id: message.id, problem });
        return;
      }
      p.resolve({ value: message.value, ...client.hello });
    });
  }

  /** Asks whoever is attached (and whoever attaches later); resolves with the first accepted answer. */
  ask(body: SocketQuestionBody, signal?: AbortSignal): Promise<SocketAnswer> {
    const question = { ...body, id: randomBytes(8).toString('hex') } as SocketQuestion;
    return new Promise<SocketAnswer>((resolve, reject) => {
      const settle = (): void => {
        this.pending.delete(question.id);
        signal?.removeEventListener('abort', onAbort);
        for (const c of this.clients) if (c.hello) send(c.socket, { t: 'settled', id: question.id });
      };
      const onAbort = (): void => {
        settle();
        reject(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(question.id, {
        question,
        resolve: (answer) => {
          settle();
          resolve(answer);
        },
      });
      if (this.attached === 0) {
        this.options.notice(`Waiting for an answer to "${question.title}": nobody is attached to this run. Answer it with \`backout attach\` or in VS Code.`);
      }
      for (const c of this.clients) if (c.hello) send(c.socket, { t: 'ask', question });
    });
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Only while it still names this host's socket: a host that resumed the run meanwhile has written its own.
    let named: string | undefined;
    try {
      named = fs.readFileSync(this.endpointFile, 'utf8').trim();
    } catch {
      named = undefined;
    }
    if (named === this.endpoint) fs.rmSync(this.endpointFile, { force: true });
    if (this.privateDir) fs.rmSync(this.privateDir, { recursive: true, force: true });
  }
}

/** The endpoint a run host named in its run folder, if one is there. */
export function socketEndpoint(runLocation: string): string | undefined {
  try {
    const text = fs.readFileSync(path.join(runLocation, CONTROL_DIR, ENDPOINT_FILE), 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

export interface RunSocketClientOptions {
  /** Who answers ("user@host") and through what ("vscode", "backout attach"). */
  by: string;
  via: string;
  /** Asks the person; undefined declines. `signal` aborts when another client answered or the question went away. */
  answer(question: SocketQuestion, signal: AbortSignal): Promise<string | undefined>;
  /** An answer was refused by the run host. */
  refused?(question: SocketQuestion, problem: string): void;
}

/** The attaching end: answers what the run host asks. */
export class RunSocketClient {
  private readonly open = new Map<string, { question: SocketQuestion; controller: AbortController }>();
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: RunSocketClientOptions,
  ) {
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('close', () => {
      for (const o of this.open.values()) o.controller.abort(new Error('the run host went away'));
      this.open.clear();
    });
    readLines(socket, (message) => {
      if (!isHostMessage(message)) return void socket.destroy();
      if (message.t === 'ask') this.onAsk(message.question);
      else if (message.t === 'settled') this.settle(message.id);
      else {
        // Refused (a choice that is not offered, an empty secret): the person is asked again.
        const o = this.open.get(message.id);
        if (!o) return;
        this.open.delete(message.id);
        options.refused?.(o.question, message.problem);
        this.onAsk(o.question);
      }
    });
    send(socket, { t: 'hello', by: options.by, via: options.via });
  }

  /** Connects to the run host of `runLocation`; undefined when none listens there (not started yet, or gone). */
  static async connect(runLocation: string, options: RunSocketClientOptions): Promise<RunSocketClient | undefined> {
    const endpoint = socketEndpoint(runLocation);
    if (!endpoint) return undefined;
    const socket = await new Promise<net.Socket | undefined>((resolve) => {
      const s = net.createConnection(endpoint);
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(undefined));
    });
    if (!socket) return undefined;
    socket.on('error', () => undefined);
    return new RunSocketClient(socket, options);
  }

  private onAsk(question: SocketQuestion): void {
    if (this.open.has(question.id)) return;
    const controller = new AbortController();
    this.open.set(question.id, { question, controller });
    void this.options.answer(question, controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        send(this.socket, value === undefined ? { t: 'answer', id: question.id } : { t: 'answer', id: question.id, value });
      },
      () => undefined,
    );
  }

  private settle(id: string): void {
    const o = this.open.get(id);
    if (!o) return;
    this.open.delete(id);
    o.controller.abort(new Error('answered'));
  }

  close(): void {
    this.socket.destroy();
  }
}
