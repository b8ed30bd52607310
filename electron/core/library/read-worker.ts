// Worker thread: reads audio files on request (tags, properties, content identity) off the main thread.
// Requests and results travel in batches: one message per file cost as much as reading a small file.
import { parentPort } from 'node:worker_threads';
import type { ReadResult } from '../db/files.js';
import { readAudioFile } from './read-file.js';

export interface ReadRequest {
  id: number;
  path: string;
}
export interface ReadReply {
  id: number;
  result: ReadResult;
}

const FLUSH_EVERY = 32;
const queue: ReadRequest[] = [];
let outbox: ReadReply[] = [];
let running = false;

async function drain(): Promise<void> {
  running = true;
  while (queue.length) {
    const req = queue.shift()!;
    outbox.push({ id: req.id, result: await readAudioFile(req.path) });
    if (outbox.length >= FLUSH_EVERY || queue.length === 0) {
      parentPort!.postMessage(outbox);
      outbox = [];
    }
  }
  running = false;
}

parentPort!.on('message', (batch: ReadRequest[]) => {
  queue.push(...batch);
  if (!running) void drain();
});
