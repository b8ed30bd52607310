// Worker thread: reads audio files on request (tags, properties, content identity) off the main thread.
import { parentPort } from 'node:worker_threads';
import { readAudioFile } from './read-file.js';

export interface ReadRequest {
  id: number;
  path: string;
}

parentPort!.on('message', (msg: ReadRequest) => {
  void readAudioFile(msg.path).then((result) => parentPort!.postMessage({ id: msg.id, result }));
});
