// A strtok3 tokenizer over a file descriptor with synchronous reads. The scanner reads files inside
// worker threads, where blocking reads are cheap (a few µs from the page cache) and the promise-based
// FileTokenizer's thread-pool round trip per read dominated the cost of parsing small tag headers.
import { closeSync, readSync } from 'node:fs';
import { AbstractTokenizer, EndOfStreamError, type IReadChunkOptions } from 'strtok3';

interface SyncFileInfo {
  path: string;
  size: number;
  mimeType?: string;
}

export class SyncFileTokenizer extends AbstractTokenizer {
  fileInfo: SyncFileInfo;

  constructor(private readonly fd: number, fileInfo: SyncFileInfo) {
    super({ fileInfo });
    this.fileInfo = fileInfo;
  }

  supportsRandomAccess(): boolean {
    return true;
  }

  setPosition(position: number): void {
    this.validateLength(position, 'position');
    this.position = position;
  }

  async readBuffer(buffer: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const o = this.normalizeOptions(buffer, options);
    this.position = o.position;
    const n = this.readAt(buffer, o.length, o.position, o.mayBeLess ?? false);
    this.position += n;
    return n;
  }

  async peekBuffer(buffer: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const o = this.normalizeOptions(buffer, options);
    return this.readAt(buffer, o.length, o.position, o.mayBeLess ?? false);
  }

  private readAt(buffer: Uint8Array, length: number, position: number, mayBeLess: boolean): number {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buffer, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    if (!mayBeLess && done < length) throw new EndOfStreamError();
    return done;
  }

  protected override async closeOnce(): Promise<void> {
    closeSync(this.fd);
    await super.closeOnce();
  }
}
