// Worker thread of the analysis pool: runs analyzeTrack for the jobs it is sent, several at once, so that
// one track's spectrograms are computed while another's ffmpeg decodes.
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeTrack } from './analyze-track.js';
import { TrackListener, inputBuffers } from '../model/track-inputs.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import { releaseTrackGarbage } from './thread-garbage.js';

const config = (workerData ?? {}) as WorkerConfig;
const port = parentPort!;
const listener = new TrackListener();
const running = new Map<number, { controller: AbortController; done: Promise<void> }>();

const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'track') {
    const controller = new AbortController();
    const done = analyzeTrack(msg.job, {
      signal: controller.signal,
      ffmpegPath: config.ffmpegPath,
      listener,
      onProcess: (p) => post({ type: 'process', pid: p.pid, running: p.running }),
    }).then((outcome) => {
      running.delete(msg.id);
      // model inputs move to the main thread without copying
      const transfer = outcome.ok && !outcome.sameAudio && outcome.inputs ? inputBuffers(outcome.inputs) : [];
      post({ type: 'result', id: msg.id, outcome }, transfer);
      // the track's audio and spectrograms are dead now: free them before they pile up (thread-garbage.ts)
      releaseTrackGarbage();
    });
    running.set(msg.id, { controller, done });
  } else if (msg.type === 'cancel') {
    running.get(msg.id)?.controller.abort();
  } else if (msg.type === 'close') {
    const all = [...running.values()];
    for (const r of all) r.controller.abort();
    // each job resolves only after its ffmpeg has exited, so 'closed' means no child is left
    void Promise.all(all.map((r) => r.done)).then(() => post({ type: 'closed' }));
  }
});
