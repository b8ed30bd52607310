// app://spectag/...: the built window (renderer/dist) served to the BrowserWindow with a strict CSP, from
// inside the dist folder only. A custom origin instead of file:// keeps the page away from the file system.
import { readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { isInside } from '../core/service/media.js';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://spectag';

export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: spectag-media:",
  "media-src 'self' spectag-media:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.map': 'application/json', '.woff2': 'font/woff2',
};

export function createAppHandler(distDir: string): (request: Request) => Response {
  const root = resolve(distDir);
  return (request) => {
    let u: URL;
    try {
      u = new URL(request.url);
    } catch {
      return new Response('bad URL', { status: 400 });
    }
    if (u.host !== 'spectag') return new Response('not found', { status: 404 });
    let rel: string;
    try {
      rel = decodeURIComponent(u.pathname);
    } catch {
      return new Response('bad URL', { status: 400 });
    }
    let file = resolve(root, '.' + (rel === '/' ? '/index.html' : rel));
    if (!isInside(file, root)) return new Response('not found', { status: 404 });
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch {
      if (extname(rel)) return new Response('not found', { status: 404 });
      file = join(root, 'index.html');
    }
    return new Response(readFileSync(file), {
      status: 200,
      headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': APP_CSP },
    });
  };
}
