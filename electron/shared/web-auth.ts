// How the window in a browser proves itself to `spectag serve` without cookies: browsers send a cookie of
// 127.0.0.1 to every server on 127.0.0.1 whatever its port, so any local web page could ride on one. The token
// travels in an Authorization header (API calls) or a WebSocket sub-protocol (the event socket), which only
// the page that holds it can set; media elements, which can send neither, get a short-lived signature per URL.
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

/** The sub-protocol of the event socket; the server answers with this one. */
export const EVENTS_PROTOCOL = 'spectag-events.v1';
const TOKEN_PROTOCOL = 'spectag-token.';

/** The second sub-protocol the window offers: the token (base64url, so a valid protocol token). */
export function eventsTokenProtocol(token: string): string {
  return TOKEN_PROTOCOL + token;
}

/** The token from a Sec-WebSocket-Protocol header, or null. */
export function tokenFromProtocols(header: string | undefined): string | null {
  for (const p of (header ?? '').split(',')) {
    const s = p.trim();
    if (s.startsWith(TOKEN_PROTOCOL)) return s.slice(TOKEN_PROTOCOL.length);
  }
  return null;
}

// Media URLs: /media/<path>?exp=<unix seconds>&sig=<HMAC-SHA256(token, path and exp)>. The signature names
// one resource, so a URL copied out of the window opens that file only, and only until it expires. The
// expiry is rounded to the hour, so the window builds the same URL (which the browser may cache) all hour.

/** The step of media URL expiries, seconds; a URL is valid for one to two steps. */
export const MEDIA_URL_STEP_SEC = 3600;

function mediaSignature(token: string, mediaPath: string, expires: number): string {
  return bytesToHex(hmac(sha256, token, `spectag-media\n${mediaPath}\n${expires}`));
}

/** The query a window adds to /media/<mediaPath> (no leading slash, e.g. "audio/12") at `nowMs`. */
export function signedMediaQuery(token: string, mediaPath: string, nowMs: number): string {
  const exp = (Math.floor(nowMs / 1000 / MEDIA_URL_STEP_SEC) + 2) * MEDIA_URL_STEP_SEC;
  return `exp=${exp}&sig=${mediaSignature(token, mediaPath, exp)}`;
}

/** Whether `exp` and `sig` from a media URL were made with this token for this path and are still valid at `nowMs`. */
export function mediaSignatureValid(token: string, mediaPath: string, exp: string | null, sig: string | null, nowMs: number): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  const expires = Number(exp);
  const now = nowMs / 1000;
  // no URL good for longer than the window would make one
  if (expires < now || expires > now + 2 * MEDIA_URL_STEP_SEC + 60) return false;
  const want = mediaSignature(token, mediaPath, expires);
  if (sig.length !== want.length) return false;
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ sig.charCodeAt(i);
  return diff === 0;
}
