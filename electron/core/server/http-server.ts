// Web mode: the built window (renderer/dist) and the same API over HTTP + WebSocket, for headless machines
// (a NAS) and for the browser tests. Listens on 127.0.0.1 only, and every request that reads or changes the
// library needs the random token printed at start (constant-time compare; never logged). Requests are
// answered by a route table (ROUTES): a new endpoint is one more entry, with its methods and who may call it.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MEDIA_KINDS, MediaRefSchema, SpectagApiError, type MediaRef, type ApiErrorCode, type SpectagApi, type ApiEventListener } from '../../shared/api.js';
import { dispatchCall } from '../service/dispatch.js';
import { isInside, mediaAnswer, MediaRefusedError, type MediaAnswer, type MediaSource } from '../service/media.js';
import { acceptableMediaExpiry, EVENTS_PROTOCOL, mediaSignedText, tokenFromProtocols } from '../../shared/web-auth.js';

/** What the server needs from the engine: the API, its events and the media files. */
export interface ServedEngine extends SpectagApi {
  subscribe(listener: ApiEventListener): () => void;
  mediaSource(ref: MediaRef): Promise<MediaSource>;
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

/** What a route handler gets: the request, its response, the path's parameters and the server's state. */
interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** the `:name` segments of the route's path */
  params: Record<string, string>;
  /** what a trailing `*` of the route's path matched */
  rest: string[];
  server: ServerState;
}

interface ServerState {
  opts: ServerOptions;
  token: string;
  port: number;
  rendererDir: string | null;
  maxBody: number;
}

interface Route {
  /** '/api/call/:method', '/media/*' (the rest of the path, any depth), '/*' */
  path: string;
  /** 'any': every method (an unknown API path is 404 whatever the method) */
  methods: readonly ('GET' | 'HEAD' | 'POST')[] | 'any';
  /**
   * who may call: 'token' = the bearer token only; 'signed' = the token, or a URL signed with it for this
   * path (media elements cannot send headers; see shared/web-auth.ts); 'public' = anyone on 127.0.0.1 (the
   * window's files). No credential is ever taken from a cookie: every server on 127.0.0.1 gets those.
   */
  auth: 'token' | 'signed' | 'public';
  handle(c: RouteContext): void | Promise<void>;
}

const READ = ['GET', 'HEAD'] as const;

/** First match wins. */
const ROUTES: readonly Route[] = [
  { path: '/api/call/:method', methods: ['POST'], auth: 'token', handle: (c) => callApi(c, c.params.method!) },
  { path: '/api/*', methods: 'any', auth: 'public', handle: (c) => fail(c.res, 'not-found', 'no such API route') },
  { path: '/media/*', methods: READ, auth: 'signed', handle: serveMedia },
  { path: '/*', methods: READ, auth: 'public', handle: serveWindow },
];

/** The route for a path and its parameters; null when none matches. */
function matchRoute(parts: readonly string[]): Pick<RouteContext, 'params' | 'rest'> & { route: Route } | null {
  for (const route of ROUTES) {
    const pattern = route.path.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    let rest: string[] = [];
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      if (p === '*') {
        rest = parts.slice(i);
        break;
      }
      if (i >= parts.length) ok = false;
      else if (p.startsWith(':')) params[p.slice(1)] = parts[i]!;
      else ok = p === parts[i];
    }
    if (ok && (pattern.at(-1) === '*' || pattern.length === parts.length)) return { route, params, rest };
  }
  return null;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, code: ApiErrorCode, message: string): void {
  send(res, STATUS_BY_CODE[code], { ok: false, error: { code, message } });
}

function authorised(req: IncomingMessage, token: string, signedPath: string | null, url: URL): boolean {
  if (tokenMatches(token, bearer(req))) return true;
  return signedPath != null && mediaSignatureValid(token, signedPath, url.searchParams.get('exp'), url.searchParams.get('sig'));
}

/** A media URL's signature, as the window makes it (renderer/src/lib/media-url.ts), for this path and not expired. */
function mediaSignatureValid(token: string, mediaPath: string, exp: string | null, sig: string | null): boolean {
  const expires = acceptableMediaExpiry(exp, Date.now());
  if (expires == null || !sig || !/^[0-9a-f]{64}$/.test(sig)) return false;
  const want = createHmac('sha256', token).update(mediaSignedText(mediaPath, expires)).digest();
  return timingSafeEqual(want, Buffer.from(sig, 'hex'));
}

class BodyTooLargeError extends Error {}

/**
 * The request body as text. One over the limit is read to its end and dropped, so that the 413 answer
 * reaches the client (closing the connection while it still sends would reset it before it reads anything).
 * Only a caller with the token gets this far.
 */
function readBody(req: IncomingMessage, maxBody: number): Promise<string> {
  return new Promise<string>((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (size > maxBody) reject(new BodyTooLargeError(`the request body is larger than ${maxBody} bytes`));
      else resolveBody(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** One API call: `{"input": ...}` in, the outcome out, with the HTTP status of its error code. */
async function callApi({ req, res, server }: RouteContext, method: string): Promise<void> {
  let payload: unknown;
  try {
    const text = await readBody(req, server.maxBody);
    payload = text ? JSON.parse(text) : {};
  } catch (err) {
    if (err instanceof BodyTooLargeError) return send(res, 413, { ok: false, error: { code: 'invalid-input', message: err.message } }, { connection: 'close' });
    return fail(res, 'invalid-input', `bad request body: ${(err as Error).message}`);
  }
  if (typeof payload !== 'object' || payload == null || Array.isArray(payload)) return fail(res, 'invalid-input', 'the body must be a JSON object');
  const outcome = await dispatchCall(server.opts.engine, method, (payload as { input?: unknown }).input);
  if (outcome.ok) send(res, 200, outcome);
  else send(res, STATUS_BY_CODE[outcome.error.code], outcome);
}

/**
 * Send an answer of mediaAnswer (a file or a WAV preview, whole or one byte range: audio elements seek with
 * ranges). When the listener goes away (a seek, another track) the body stops, and a preview's ffmpeg with it.
 */
function sendAnswer(res: ServerResponse, answer: MediaAnswer): void {
  res.writeHead(answer.status, answer.headers);
  if (!answer.body) return void res.end();
  res.on('close', () => answer.body?.destroy());
  answer.body.on('error', () => res.destroy());
  answer.body.pipe(res);
}

/** /media/<kind>/<id>: a track's audio (or ffmpeg's WAV of it), spectrogram or cover, as the engine confines it. */
async function serveMedia({ req, res, rest, server }: RouteContext): Promise<void> {
  const [kind, id] = rest;
  const ref = MediaRefSchema.safeParse({ kind, id: Number(id) });
  if (rest.length !== 2 || !ref.success || !/^\d+$/.test(id ?? '')) return fail(res, 'invalid-input', `media URL: /media/<${MEDIA_KINDS.join('|')}>/<id>`);
  let answer: MediaAnswer;
  try {
    const source: MediaSource = await server.opts.engine.mediaSource(ref.data);
    answer = mediaAnswer(source, req.method ?? 'GET', req.headers.range);
  } catch (err) {
    if (err instanceof MediaRefusedError) return fail(res, err.status === 403 ? 'forbidden' : 'not-found', err.message);
    if (err instanceof SpectagApiError) return fail(res, err.code, err.message);
    return fail(res, 'not-found', (err as Error).message);
  }
  sendAnswer(res, answer);
}

/** The built window: its files, and index.html for any other path without an extension (the app's routes). */
function serveWindow({ req, res, url, server }: RouteContext): void {
  const { rendererDir } = server;
  if (!rendererDir || !existsSync(join(rendererDir, 'index.html'))) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The window is not built: run `npm run build:renderer` (the API is served all the same).\n');
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
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
  res.setHeader('content-security-policy', contentSecurityPolicy(server.port));
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  sendAnswer(res, mediaAnswer({ kind: 'file', path: file, type, cache: isIndex ? 'no-cache' : 'public, max-age=31536000, immutable' }, req.method ?? 'GET', req.headers.range));
}

const allowedHosts = (port: number) => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
const allowedOrigins = (port: number) => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

/** One request: the host check, then the route table (method, who may call, handler). */
async function handleRequest(server: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // DNS rebinding: a web page can make a browser talk to 127.0.0.1 under its own host name; refuse that
  if (!allowedHosts(server.port).has(String(req.headers.host ?? ''))) {
    res.writeHead(421, { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' });
    res.end('wrong host\n');
    return;
  }
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${server.port}`);
  const match = matchRoute(url.pathname.split('/').filter(Boolean));
  if (!match) return fail(res, 'not-found', 'not found');
  const { route, params, rest } = match;
  if (route.methods !== 'any' && !(route.methods as readonly string[]).includes(req.method ?? '')) {
    return fail(res, 'invalid-input', route.methods.includes('POST') ? 'use POST' : 'use GET');
  }
  if (route.auth !== 'public' && !authorised(req, server.token, route.auth === 'signed' ? rest.join('/') : null, url)) {
    return fail(res, 'unauthorized', route.auth === 'signed' ? 'missing, wrong or expired token or signature' : 'missing or wrong token');
  }
  await route.handle({ req, res, url, params, rest, server });
}

/** /events: the engine's events to the window, on a socket opened by the app's own page with the session. */
function acceptEventSockets(http: Server, server: ServerState): { close(): void } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // answer with the events protocol, never echo the token
    handleProtocols: (offered) => (offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();
  http.on('upgrade', (req, socket, head) => {
    const reject = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${server.port}`);
    if (url.pathname !== '/events') return reject(404, 'Not Found');
    if (!allowedHosts(server.port).has(String(req.headers.host ?? ''))) return reject(421, 'Misdirected Request');
    const origin = req.headers.origin;
    if (origin != null && !allowedOrigins(server.port).has(origin)) return reject(403, 'Forbidden');
    // the window offers [EVENTS_PROTOCOL, token]; a browser lets only the page that holds the token set it
    if (!tokenMatches(server.token, tokenFromProtocols(req.headers['sec-websocket-protocol']))) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // a bad frame (too large, invalid UTF-8, bad opcode) ends this socket with its close code, nothing more
      ws.on('error', () => {});
      const off = server.opts.engine.subscribe((e) => {
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
  return {
    close: () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => {});
  const server: ServerState = {
    opts,
    token: opts.token ?? randomBytes(32).toString('base64url'),
    port: opts.port,
    rendererDir: opts.rendererDir ? resolve(opts.rendererDir) : null,
    maxBody: opts.maxBodyBytes ?? 8 * 1024 * 1024,
  };
  const http: Server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => log(`${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${Date.now() - started}ms`));
    handleRequest(server, req, res).catch((err: unknown) => {
      if (!res.headersSent) fail(res, 'internal', (err as Error).message);
      else res.destroy();
    });
  });
  const events = acceptEventSockets(http, server);
  const tcp = new Set<Socket>();
  http.on('connection', (s: Socket) => {
    tcp.add(s);
    s.on('close', () => tcp.delete(s));
  });

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(opts.port, '127.0.0.1', () => {
      http.off('error', reject);
      resolveListen();
    });
  });
  server.port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${server.port}/`;
  return {
    url,
    port: server.port,
    token: server.token,
    openUrl: `${url}#token=${server.token}`,
    close: async () => {
      events.close();
      await new Promise<void>((r) => {
        http.close(() => r());
        for (const s of tcp) s.destroy();
      });
    },
  };
}
