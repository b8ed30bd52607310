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
