// Web mode: the built window (renderer/dist) and the same API over HTTP + WebSocket, for headless machines
// (a NAS) and for the browser tests. Listens on 127.0.0.1 only, and every request that reads or changes the
// library needs the random token printed at start (constant-time compare; never logged).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MediaRefSchema, type ApiErrorCode, type SpectagApi, type ApiEventListener } from '../../shared/api.js';
import { dispatchCall } from '../service/dispatch.js';
import { isInside, mediaMimeType, MediaRefusedError, parseRange } from '../service/media.js';

/** What the server needs from the engine: the API, its events and the media files. */
export interface ServedEngine extends SpectagApi {
  subscribe(listener: ApiEventListener): () => void;
  mediaPath(ref: { kind: 'audio' | 'spectrogram'; id: number }): string;
}

export interface ServerOptions {
  engine: ServedEngine;
  /** 0 = any free port */
  port: number;
  /** folder of the built renderer (index.html + assets); null = API only */
  rendererDir: string | null;
  /** fixed token (tests); default: 32 random bytes */
  token?: string;
  /** request lines (method, path without query, status); never headers, cookies or tokens */
  log?: (line: string) => void;
  /** largest accepted request body */
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  /** the link to open: the token rides in the fragment, which browsers never send to the server */
  openUrl: string;
  close(): Promise<void>;
}

const COOKIE = 'spectag_session';
const STATUS_BY_CODE: Record<ApiErrorCode, number> = {
  'invalid-input': 400, unauthorized: 401, forbidden: 403, 'not-found': 404, conflict: 409, 'not-available': 501, internal: 500,
};
const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
  '.map': 'application/json',
};

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time token check (hashing first makes the lengths equal, so length leaks nothing either). */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || !given) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.startsWith('Bearer ')) return h.slice(7).trim();
  const x = req.headers['x-spectag-token'];
  return typeof x === 'string' ? x : null;
}

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Svelte sets element styles (virtual table offsets, bar widths) through style attributes
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const maxBody = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  const log = opts.log ?? (() => {});
  const rendererDir = opts.rendererDir ? resolve(opts.rendererDir) : null;
  let port = opts.port;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(text);
  };
  const fail = (res: ServerResponse, code: ApiErrorCode, message: string) => send(res, STATUS_BY_CODE[code], { ok: false, error: { code, message } });

  const authorised = (req: IncomingMessage, allowCookie: boolean) =>
    tokenMatches(token, bearer(req)) || (allowCookie && tokenMatches(token, cookieValue(req, COOKIE)));

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolveBody, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          reject(new Error('request body too large'));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string) => {
    if (req.method !== 'POST') return fail(res, 'invalid-input', 'use POST');
    if (!authorised(req, false)) return fail(res, 'unauthorized', 'missing or wrong token');
    let payload: unknown;
    try {
      const text = await readBody(req);
      payload = text ? JSON.parse(text) : {};
    } catch (err) {
      return fail(res, 'invalid-input', `bad request body: ${(err as Error).message}`);
    }
    if (typeof payload !== 'object' || payload == null || Array.isArray(payload)) return fail(res, 'invalid-input', 'the body must be a JSON object');
    const outcome = await dispatchCall(opts.engine, method, (payload as { input?: unknown }).input);
    if (outcome.ok) send(res, 200, outcome);
    else send(res, STATUS_BY_CODE[outcome.error.code], outcome);
  };

  const streamFile = (req: IncomingMessage, res: ServerResponse, path: string, type: string, cache: string) => {
    const size = statSync(path).size;
    const range = parseRange(req.headers.range, size);
    const headers: Record<string, string> = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': cache, 'x-content-type-options': 'nosniff' };
    if (range === 'invalid') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    if (range) {
      res.writeHead(206, { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': String(range.end - range.start + 1) });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(path, { start: range.start, end: range.end }).pipe(res);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(size) });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  };

  const handleMedia = (req: IncomingMessage, res: ServerResponse, parts: string[]) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 'invalid-input', 'use GET');
    if (!authorised(req, true)) return fail(res, 'unauthorized', 'missing or wrong token');
    const ref = MediaRefSchema.safeParse({ kind: parts[0], id: Number(parts[1]) });
    if (parts.length !== 2 || !ref.success || !/^\d+$/.test(parts[1] ?? '')) return fail(res, 'invalid-input', 'media URL: /media/audio/<id> or /media/spectrogram/<id>');
    let path: string;
    try {
      path = opts.engine.mediaPath(ref.data);
    } catch (err) {
      if (err instanceof MediaRefusedError) return fail(res, err.status === 403 ? 'forbidden' : 'not-found', err.message);
      return fail(res, 'not-found', (err as Error).message);
    }
    streamFile(req, res, path, mediaMimeType(path), ref.data.kind === 'spectrogram' ? 'private, max-age=60' : 'private, no-cache');
  };

  const handleStatic = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 'invalid-input', 'use GET');
    if (!rendererDir || !existsSync(join(rendererDir, 'index.html'))) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The window is not built: run `npm run build:renderer` (the API is served all the same).\n');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return fail(res, 'invalid-input', 'bad URL encoding');
    }
    if (rel.includes('\0')) return fail(res, 'invalid-input', 'bad path');
    let file = resolve(rendererDir, '.' + (rel.endsWith('/') ? rel + 'index.html' : rel));
    if (file !== join(rendererDir, 'index.html') && !isInside(file, rendererDir)) {
      return fail(res, 'not-found', 'not found');
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      // the app has one page; an unknown path without an extension is a route of it
      if (extname(rel)) return fail(res, 'not-found', 'not found');
      file = join(rendererDir, 'index.html');
    }
    const type = STATIC_TYPES[extname(file)] ?? 'application/octet-stream';
    const isIndex = file === join(rendererDir, 'index.html');
    res.setHeader('content-security-policy', contentSecurityPolicy(port));
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    streamFile(req, res, file, type, isIndex ? 'no-cache' : 'public, max-age=31536000, immutable');
  };

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => log(`${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${Date.now() - started}ms`));
    // DNS rebinding: a web page can make a browser talk to 127.0.0.1 under its own host name; refuse that
    if (!allowedHosts().has(String(req.headers.host ?? ''))) {
      res.writeHead(421, { 'content-type': 'text/plain' });
      res.end('wrong host\n');
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const parts = url.pathname.split('/').filter(Boolean);
    void (async () => {
      try {
        if (parts[0] === 'api' && parts[1] === 'call' && parts.length === 3) return await handleApi(req, res, parts[2]!);
        if (parts[0] === 'api' && parts[1] === 'session' && parts.length === 2) {
          if (req.method !== 'POST') return fail(res, 'invalid-input', 'use POST');
          if (!authorised(req, false)) return fail(res, 'unauthorized', 'missing or wrong token');
          // media elements and the event socket cannot send headers: they carry this cookie instead
          return send(res, 200, { ok: true, result: null }, { 'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` });
        }
        if (parts[0] === 'api') return fail(res, 'not-found', 'no such API route');
        if (parts[0] === 'media') return handleMedia(req, res, parts.slice(1));
        return handleStatic(req, res, url.pathname);
      } catch (err) {
        if (!res.headersSent) fail(res, 'internal', (err as Error).message);
        else res.destroy();
      }
    })();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  const tcp = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    tcp.add(s);
    s.on('close', () => tcp.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/events') return reject(404, 'Not Found');
    if (!allowedHosts().has(String(req.headers.host ?? ''))) return reject(421, 'Misdirected Request');
    const origin = req.headers.origin;
    if (origin != null && !allowedOrigins().has(origin)) return reject(403, 'Forbidden');
    if (!authorised(req, true)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const off = opts.engine.subscribe((e) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
      });
      const ping = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), 30_000);
      ws.on('close', () => {
        off();
        clearInterval(ping);
        sockets.delete(ws);
      });
      ws.on('message', () => {
        // the socket only carries events to the window; calls go through POST /api/call
      });
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    port,
    token,
    openUrl: `${url}#token=${token}`,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of tcp) s.destroy();
      });
    },
  };
}
