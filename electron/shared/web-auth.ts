// How the window in a browser proves itself to `spectag serve` without cookies: browsers send a cookie of
// 127.0.0.1 to every server on 127.0.0.1 whatever its port, so any local web page could ride on one. The token
// travels in an Authorization header (API calls) or a WebSocket sub-protocol (the event socket), which only
// the page that holds it can set; media elements, which can send neither, get a short-lived signature per URL.

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

// Media URLs: /media/<path>?exp=<unix seconds>&sig=<hex HMAC-SHA256(token, mediaSignedText(path, exp))>. The
// signature names one resource, so a URL copied out of the window opens that file only, and only until it
// expires. The expiry is rounded to the hour, so the window builds the same URL (which the browser may cache)
// all hour. The window signs (renderer/src/lib/media-url.ts), the server checks (core/server/http-server.ts),
// each with its own platform's HMAC.

/** The step of media URL expiries, seconds; a URL is valid for one to two steps. */
export const MEDIA_URL_STEP_SEC = 3600;

/** The expiry the window gives a media URL made at `nowMs`. */
export function mediaExpiry(nowMs: number): number {
  return (Math.floor(nowMs / 1000 / MEDIA_URL_STEP_SEC) + 2) * MEDIA_URL_STEP_SEC;
}

/** What is signed: the media path (no leading slash, e.g. "audio/12") and the expiry. */
export function mediaSignedText(mediaPath: string, expires: number): string {
  return `spectag-media\n${mediaPath}\n${expires}`;
}

/** The expiry from a URL as a number when it is still valid at `nowMs` and no later than the window would set; else null. */
export function acceptableMediaExpiry(exp: string | null, nowMs: number): number | null {
  if (!exp || !/^\d{1,12}$/.test(exp)) return null;
  const expires = Number(exp);
  const now = nowMs / 1000;
  return expires >= now && expires <= now + 2 * MEDIA_URL_STEP_SEC + 60 ? expires : null;
}
