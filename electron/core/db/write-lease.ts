// One write or undo at a time per library, across processes: a lease row in the database. The holder renews it
// while it works; a holder that dies (kill -9, power cut) loses it when it expires, or at once when the lease
// names a process on this machine that no longer runs. Two writes at once could put one file in both batches;
// two undos of one batch raced each other into failures that left journal rows wrong.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from './open.js';

/** How long a lease holds without renewal. Renewed every LEASE_TTL_MS / 4 while a batch runs. */
export const LEASE_TTL_MS = 60_000;

/** Whether a process with this id runs on this machine (a process of another user counts: EPERM). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LeaseHolder {
  pid: number;
  host: string;
  kind: 'write' | 'undo';
  batchId: number | null;
  acquiredAt: number;
  expiresAt: number;
}

interface LeaseRow { token: string; pid: number; host: string; kind: 'write' | 'undo'; batch_id: number | null; acquired_at: number; expires_at: number }

const holderOf = (r: LeaseRow): LeaseHolder => ({
  pid: r.pid, host: r.host, kind: r.kind, batchId: r.batch_id, acquiredAt: r.acquired_at, expiresAt: r.expires_at,
});

/** Another write or undo holds the library: nothing was done. */
export class LibraryBusyError extends Error {
  constructor(readonly holder: LeaseHolder, now = Date.now()) {
    const where = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
    super(`another Spectag (${where}) is running ${holder.kind === 'write' ? 'a write' : 'an undo'} on this library ` +
      `(started ${Math.max(0, Math.round((now - holder.acquiredAt) / 1000))} s ago); nothing was done: try again when it has finished`);
    this.name = 'LibraryBusyError';
  }
}

/** The lease was taken over (it had expired while this process stood still): stop before touching another file. */
export class LeaseLostError extends Error {}

function rowOf(db: Db): LeaseRow | undefined {
  return db.prepare('SELECT * FROM write_lease WHERE id = 1').get() as LeaseRow | undefined;
}

/** A lease that still counts: not expired, and its process not known to be gone. */
function live(r: LeaseRow | undefined, now: number): r is LeaseRow {
  if (!r || r.expires_at <= now) return false;
  return r.host !== hostname() || processAlive(r.pid);
}

/** Who holds the library now, or null when nobody does. */
export function currentLease(db: Db, now = Date.now()): LeaseHolder | null {
  const r = rowOf(db);
  return live(r, now) ? holderOf(r) : null;
}

export class WriteLease {
  private timer: NodeJS.Timeout | null = null;
  private released = false;

  private constructor(private readonly db: Db, private readonly token: string) {}

  /** Take the library for a write or undo, or throw LibraryBusyError. */
  static acquire(db: Db, kind: 'write' | 'undo', now = Date.now()): WriteLease {
    const token = randomBytes(12).toString('hex');
    db.transaction(() => {
      const r = rowOf(db);
      if (live(r, now)) throw new LibraryBusyError(holderOf(r), now);
      db.prepare(`INSERT OR REPLACE INTO write_lease(id, token, pid, host, kind, batch_id, acquired_at, expires_at)
          VALUES (1, ?, ?, ?, ?, NULL, ?, ?)`).run(token, process.pid, hostname(), kind, now, now + LEASE_TTL_MS);
    }).immediate();
    const lease = new WriteLease(db, token);
    lease.timer = setInterval(() => {
      try {
        lease.renew();
      } catch {
        // the next renew() between files reports it
      }
    }, LEASE_TTL_MS / 4);
    lease.timer.unref();
    return lease;
  }

  /** Name the batch this lease is for (a batch still "running" without a live lease was interrupted). */
  setBatch(batchId: number): void {
    this.db.prepare('UPDATE write_lease SET batch_id = ? WHERE id = 1 AND token = ?').run(batchId, this.token);
  }

  /** Extend the lease; throws LeaseLostError when another process holds it now. */
  renew(now = Date.now()): void {
    const changes = this.db.prepare('UPDATE write_lease SET expires_at = ? WHERE id = 1 AND token = ?').run(now + LEASE_TTL_MS, this.token).changes;
    if (changes === 0) throw new LeaseLostError('another Spectag took over this library while this write was paused; the rest was not written');
  }

  /** Give the library back. Best effort: a lease that cannot be removed (database failing) expires by itself. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    try {
      this.db.prepare('DELETE FROM write_lease WHERE id = 1 AND token = ?').run(this.token);
    } catch {
      // expires by itself
    }
  }
}
