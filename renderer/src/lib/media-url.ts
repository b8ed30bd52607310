// Media URLs of web mode: an <img> or <audio> cannot send the token, so each URL carries an HMAC of its path
// and expiry made with it (the format and its reasons: electron/shared/web-auth.ts). Synchronous, because
// components build their URLs while rendering: hence @noble/hashes rather than the browser's async WebCrypto.
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { mediaExpiry, mediaSignedText } from '../../../electron/shared/web-auth.js';

/** The query a window adds to /media/<mediaPath> (no leading slash, e.g. "audio/12") at `nowMs`. */
export function signedMediaQuery(token: string, mediaPath: string, nowMs: number): string {
  const exp = mediaExpiry(nowMs);
  return `exp=${exp}&sig=${bytesToHex(hmac(sha256, token, mediaSignedText(mediaPath, exp)))}`;
}
