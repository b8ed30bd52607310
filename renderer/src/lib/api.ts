// The ONLY module of the window that talks to the engine. It implements the shared SpectagApi over the
// preload bridge (desktop app: window.spectag) or over HTTP + WebSocket (web mode: `spectag serve`),
// and builds media URLs for the transport in use. Components import `api`, `onEvent` and `mediaUrl` from here.
import type {
  ApiErrorCode, ApiEvent, ApiEventListener, ApiInput, ApiMethod, CallOutcome, MediaKind, SpectagApi, SpectagBridge,
} from '../../../electron/shared/api.js';
import { API_METHOD_NAMES } from '../../../electron/shared/api-names.js';
import { EVENTS_PROTOCOL, eventsTokenProtocol } from '../../../electron/shared/web-auth.js';
import { signedMediaQuery } from './media-url.js';

declare global {
  interface Window {
    /** set by the desktop app's preload (electron/preload); absent in a browser */
    spectag?: SpectagBridge;
  }
}

export class ApiCallError extends Error {
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** Web mode opened without the token link. */
export class NoTokenError extends Error {}

export type ConnectionState = 'connected' | 'reconnecting';

interface Transport {
  kind: 'electron' | 'web';
  call(method: ApiMethod, input: unknown): Promise<unknown>;
  onEvent(listener: ApiEventListener): () => void;
  mediaUrl(kind: MediaKind, id: number, version?: number | string): string;
}

function unwrap<T>(outcome: CallOutcome<T>): T {
  if (outcome.ok) return outcome.result;
  throw new ApiCallError(outcome.error.code, outcome.error.message);
}

function bridgeTransport(bridge: SpectagBridge): Transport {
  return {
    kind: 'electron',
    call: async (method, input) => unwrap(await bridge.call(method, input as ApiInput<typeof method>)),
    onEvent: (listener) => bridge.onEvent(listener),
    // the desktop shell's media protocol, confined to the library roots and the cache (electron/main/media.ts)
    mediaUrl: (kind, id, version) => `spectag-media://${kind}/${id}${version != null ? `?v=${encodeURIComponent(String(version))}` : ''}`,
  };
}

const TOKEN_KEY = 'spectag-token';

/** The token from the link `spectag serve` printed (#token=...), kept for reloads of this tab only. */
function takeToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]!);
    // out of the address bar (screenshots, screen sharing); the fragment never reached the server anyway
    history.replaceState(null, '', location.pathname + location.search);
    return m[1]!;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

async function webTransport(onState: (s: ConnectionState) => void): Promise<Transport> {
  const token = takeToken();
  if (!token) throw new NoTokenError('Open the link that `spectag serve` printed: it carries the access token.');
  const post = async (path: string, body: unknown) => {
    const res = await fetch(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      throw new ApiCallError('unauthorized', 'The access token was refused: open the link that `spectag serve` printed for this run.');
    }
    return (await res.json()) as CallOutcome<unknown>;
  };
  // the token is checked before anything else is set up (a stale one asks for the printed link again)
  unwrap(await post('api/call/status', {}));

  const listeners = new Set<ApiEventListener>();
  let socket: WebSocket | null = null;
  let retry = 0;
  const open = () => {
    // the token rides in a sub-protocol: only this page can set it (a cookie would go to any page on 127.0.0.1)
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`, [EVENTS_PROTOCOL, eventsTokenProtocol(token)]);
    socket = ws;
    ws.onopen = () => {
      if (retry > 0) {
        // events may have been missed while away: let every view refresh
        for (const l of listeners) l({ type: 'library-changed', reason: 'watch', fileIds: null });
      }
      retry = 0;
      onState('connected');
    };
    ws.onmessage = (m) => {
      let e: ApiEvent;
      try {
        e = JSON.parse(String(m.data)) as ApiEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(e);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      onState('reconnecting');
      retry++;
      setTimeout(open, Math.min(10_000, 250 * 2 ** Math.min(retry, 6)));
    };
  };
  open();

  return {
    kind: 'web',
    call: async (method, input) => unwrap(await post(`api/call/${method}`, input === undefined ? {} : { input })),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // an <img> or <audio> cannot send the token: the URL carries a signature for this one file instead
    mediaUrl: (kind, id, version) =>
      `media/${kind}/${id}?${signedMediaQuery(token, `${kind}/${id}`, Date.now())}${version != null ? `&v=${encodeURIComponent(String(version))}` : ''}`,
  };
}

let active: Transport | null = null;
const stateListeners = new Set<(s: ConnectionState) => void>();

/** Connect once at start: the preload bridge when there is one, else HTTP to the server that served this page. */
export async function connect(): Promise<'electron' | 'web'> {
  if (active) return active.kind;
  active = window.spectag ? bridgeTransport(window.spectag) : await webTransport((s) => stateListeners.forEach((l) => l(s)));
  return active.kind;
}

function transport(): Transport {
  if (!active) throw new ApiCallError('internal', 'not connected to the engine yet');
  return active;
}

/** The engine, typed: `await api.queryLibrary({...})`. Errors are ApiCallError with a code. */
export const api = Object.fromEntries(
  API_METHOD_NAMES.map((m) => [m, (input?: unknown) => transport().call(m, input)]),
) as unknown as SpectagApi;

export function onEvent(listener: ApiEventListener): () => void {
  return transport().onEvent(listener);
}

export function onConnectionState(listener: (s: ConnectionState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

export function mediaUrl(kind: MediaKind, id: number, version?: number | string): string {
  return transport().mediaUrl(kind, id, version);
}

/** A readable message for any error thrown by `api`. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiCallError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
