// Small pure pieces of the scanner: container sniffing, genre splitting, skipped names, database location.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sniffContainer } from '../../electron/core/library/sniff.js';
import { isAudioCandidate, isSkippedName } from '../../electron/core/library/walk.js';
import { splitGenres } from '../../electron/shared/genres.js';
import { resolveDbPath, userDataDir } from '../../electron/core/db/paths.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffContainer', () => {
  it('recognises each container by its magic bytes', () => {
    assert.equal(sniffContainer(bytes('fLaC', [0, 0, 0, 34])), 'flac');
    assert.equal(sniffContainer(bytes('OggS', [0, 2], '\x00'.repeat(22), '\x01\x1eOpusHead')), 'opus');
    assert.equal(sniffContainer(bytes('OggS', [0, 2], '\x00'.repeat(22), '\x01\x1e\x01vorbis')), 'ogg');
    assert.equal(sniffContainer(bytes([0, 0, 0, 0x20], 'ftypM4A ')), 'mp4');
    assert.equal(sniffContainer(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt ')), 'wav');
    assert.equal(sniffContainer(bytes('FORM', [0, 0, 0, 0], 'AIFFCOMM')), 'aiff');
    assert.equal(sniffContainer(Buffer.from('3026b2758e66cf11a6d900aa0062ce6c00', 'hex')), 'asf');
    assert.equal(sniffContainer(bytes('ID3', [4, 0, 0, 0, 0, 0, 0])), 'mp3');
  });

  it('sees FLAC behind an ID3 tag, and MPEG frames without a tag', () => {
    assert.equal(sniffContainer(bytes('ID3', [3, 0, 0, 0, 0, 0, 2], 'xx', 'fLaC')), 'flac');
    const frame = [0xff, 0xfb, 0x90, 0x64];
    const mpeg = Buffer.alloc(2000);
    for (let i = 0; i < 2000; i += 417) Buffer.from(frame).copy(mpeg, i);
    assert.equal(sniffContainer(mpeg), 'mp3');
  });

  it('rejects text, images and random bytes', () => {
    assert.equal(sniffContainer(Buffer.from('hello, these are liner notes\n'.repeat(40))), null);
    assert.equal(sniffContainer(bytes([0x89], 'PNG\r\n\x1a\n')), null);
    assert.equal(sniffContainer(bytes([0xff, 0xd8, 0xff, 0xe0])), null);
    assert.equal(sniffContainer(Buffer.alloc(0)), null);
  });
});

describe('splitGenres', () => {
  it('splits ";" and NUL joins everywhere, "/" only where the format uses it as a join', () => {
    assert.deepEqual(splitGenres(['Rock; Pop']), ['Rock', 'Pop']);
    assert.deepEqual(splitGenres(['Rock\0Pop']), ['Rock', 'Pop']);
    assert.deepEqual(splitGenres(['R&B/Soul']), ['R&B/Soul']);
    assert.deepEqual(splitGenres(['Rock/Blues'], { slashJoins: true }), ['Rock', 'Blues']);
  });
  it('trims, drops empties, removes case-insensitive duplicates and keeps order', () => {
    assert.deepEqual(splitGenres([' Jazz ', 'jazz', '', ' ;', 'Blues', 'JAZZ;Blues']), ['Jazz', 'Blues']);
    assert.deepEqual(splitGenres(['Hip  Hop']), ['Hip Hop']);
  });
});

describe('walk filters', () => {
  it('skips hidden and system folders but not ordinary names', () => {
    for (const n of ['.git', '.Trashes', '@eaDir', '$RECYCLE.BIN', 'System Volume Information', 'lost+found', '__MACOSX']) assert.ok(isSkippedName(n), n);
    for (const n of ['Music', 'AC.DC', 'Sigur Rós', '@home']) assert.ok(!isSkippedName(n), n);
  });
  it('takes audio extensions in any case', () => {
    for (const n of ['a.MP3', 'b.flac', 'c.Opus', 'd.m4a', 'e.aiff', 'f.aif', 'g.wma', 'h.ogg', 'i.wav']) assert.ok(isAudioCandidate(n), n);
    for (const n of ['cover.jpg', 'album.cue', 'notes.txt', 'mp3']) assert.ok(!isAudioCandidate(n), n);
  });
});

describe('database location', () => {
  it('follows the OS convention for per-user application data, as Electron does', () => {
    assert.equal(userDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux'), '/x/cfg/Spectag');
    assert.match(userDataDir({}, 'linux'), /\.config\/Spectag$/);
    assert.match(userDataDir({}, 'darwin'), /Library\/Application Support\/Spectag$/);
    assert.match(userDataDir({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'win32'), /Roaming.Spectag$/);
  });
  it('lets --db win over SPECTAG_DB, which wins over the default', () => {
    assert.equal(resolveDbPath('/a.db', { SPECTAG_DB: '/b.db' }), '/a.db');
    assert.equal(resolveDbPath(undefined, { SPECTAG_DB: '/b.db' }), '/b.db');
    assert.match(resolveDbPath(undefined, { XDG_CONFIG_HOME: '/c' }), /^\/c\/Spectag\/library\.sqlite$/);
  });
});
