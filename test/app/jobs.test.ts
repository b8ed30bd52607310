// The app's job runner with real jobs defined here (timers and an AbortSignal): progress with rate and ETA,
// pause by restart and pause in place, cancel, one job per kind, finished callbacks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobRunner, type JobContext } from '../../electron/core/service/jobs.js';
import type { JobInfo, JobResult } from '../../electron/shared/api.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RESULT: JobResult = {
  kind: 'scan',
  report: { roots: [], seen: 0, added: 0, updated: 0, moved: 0, unchanged: 0, missing: 0, errors: 0, cancelled: false, durationMs: 0, rootErrors: [],
    folded: { count: 0, paths: [] } },
};

/** A job that counts to `n`, one step per 5 ms, resuming where the last run stopped (like a rescan). */
function counting(n: number, state = { done: 0, runs: 0 }) {
  return {
    state,
    run: async (ctx: JobContext) => {
      state.runs++;
      while (state.done < n) {
        if (ctx.signal.aborted) return RESULT;
        await sleep(5);
        state.done++;
        ctx.progress({ phase: 'counting', done: state.done, total: n });
      }
      return RESULT;
    },
  };
}

async function until(runner: JobRunner, id: string, states: JobInfo['state'][], ms = 5000): Promise<JobInfo> {
  const end = Date.now() + ms;
  for (;;) {
    const j = runner.get(id);
    if (states.includes(j.state)) return j;
    if (Date.now() > end) throw new Error(`job stayed ${j.state}`);
    await sleep(5);
  }
}

describe('job runner', () => {
  it('reports progress with rate and ETA and ends done', async () => {
    const events: JobInfo[] = [];
    const runner = new JobRunner((j) => events.push(j), 0);
    let finished: JobInfo | null = null;
    const job = counting(40);
    const info = runner.start({ kind: 'scan', label: 'count', restartable: true, run: job.run, onFinished: (j) => (finished = j) });
    const done = await until(runner, info.id, ['done']);
    assert.equal(done.progress.done, 40);
    assert.deepEqual(done.result, RESULT);
    assert.ok(events.some((e) => e.progress.rate > 0 && e.progress.etaSec != null), 'rate and ETA while running');
    assert.equal((finished as JobInfo | null)?.state, 'done');
  });

  it('pauses a restartable job by stopping it, and resumes by running it again', async () => {
    const runner = new JobRunner(() => {}, 0);
    const job = counting(60);
    const info = runner.start({ kind: 'scan', label: 'count', restartable: true, run: job.run });
    await sleep(40);
    runner.pause(info.id);
    const paused = await until(runner, info.id, ['paused']);
    const at = job.state.done;
    assert.ok(at > 0 && at < 60, `paused at ${at}`);
    await sleep(40);
    assert.equal(job.state.done, at, 'nothing happens while paused');
    assert.equal(paused.canPause, true);
    runner.resume(info.id);
    await until(runner, info.id, ['done']);
    assert.equal(job.state.done, 60);
    assert.equal(job.state.runs, 2, 'resumed by a second run that skipped the finished work');
  });

  it('pauses in place when the job can hold still', async () => {
    const runner = new JobRunner(() => {}, 0);
    let held = false;
    let done = 0;
    const info = runner.start({
      kind: 'analyze', label: 'hold', restartable: true,
      pauseInPlace: { pause: () => (held = true), resume: () => (held = false) },
      run: async (ctx) => {
        while (done < 30 && !ctx.signal.aborted) {
          await sleep(5);
          if (!held) ctx.progress({ done: ++done, total: 30 });
        }
        return RESULT;
      },
    });
    await sleep(30);
    assert.equal(runner.pause(info.id).state, 'paused');
    const at = done;
    await sleep(40);
    assert.equal(done, at);
    runner.resume(info.id);
    await until(runner, info.id, ['done']);
    assert.equal(done, 30);
  });

  it('cancels running and paused jobs, and runs one job of a kind at a time', async () => {
    const runner = new JobRunner(() => {}, 0);
    const a = runner.start({ kind: 'scan', label: 'a', restartable: true, run: counting(1000).run });
    assert.throws(() => runner.start({ kind: 'scan', label: 'b', restartable: true, run: counting(1).run }), /already running/);
    const other = runner.start({ kind: 'write', label: 'w', restartable: false, run: counting(3).run });
    assert.throws(() => runner.pause(other.id), /cannot be paused/);
    runner.cancel(a.id);
    assert.equal((await until(runner, a.id, ['cancelled'])).state, 'cancelled');
    const b = runner.start({ kind: 'scan', label: 'b', restartable: true, run: counting(1000).run });
    runner.pause(b.id);
    await until(runner, b.id, ['paused']);
    runner.cancel(b.id);
    assert.equal(runner.get(b.id).state, 'cancelled');
    await until(runner, other.id, ['done']);
  });

  it('marks a job that throws as failed with its message', async () => {
    const runner = new JobRunner(() => {}, 0);
    const j = runner.start({ kind: 'write', label: 'x', restartable: false, run: async () => { throw new Error('disk on fire'); } });
    const failed = await until(runner, j.id, ['failed']);
    assert.equal(failed.error, 'disk on fire');
  });

  it('says "cancelling" at once, while the work in flight winds down, and never "running" again', async () => {
    const events: JobInfo[] = [];
    const runner = new JobRunner((j) => events.push(j), 50);
    // a job whose current item takes 300 ms to stop after the abort (a track being decoded), reporting on the way
    const j = runner.start({
      kind: 'analyze', label: 'slow to stop', restartable: true,
      run: async (ctx) => {
        ctx.progress({ phase: 'analysing', done: 1, total: 10 });
        while (!ctx.signal.aborted) await sleep(5);
        for (let i = 0; i < 6; i++) {
          await sleep(50);
          ctx.progress({ phase: 'analysing', done: 2 + i, total: 10 });
        }
        return RESULT;
      },
    });
    await sleep(20);
    const answer = runner.cancel(j.id);
    assert.equal(answer.progress.phase, 'cancelling', 'the answer to cancel says so');
    const announced = events.at(-1)!;
    assert.equal(announced.progress.phase, 'cancelling', 'published at once, not at the next progress tick');
    await until(runner, j.id, ['cancelled']);
    const after = events.slice(events.indexOf(announced));
    assert.ok(after.filter((e) => e.state === 'running').every((e) => e.progress.phase === 'cancelling'), after.map((e) => `${e.state}/${e.progress.phase}`).join());
    assert.equal(after.at(-1)!.state, 'cancelled');
  });
});
