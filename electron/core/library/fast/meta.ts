// What a parse gives the library: the common fields, the audio format, the tag types present and the
// parser's warnings (the shape of music-metadata's result, restricted to what Spectag stores).
import type { CommonFields } from './common-tags.js';

export interface FormatFields {
  container?: string;
  codec?: string;
  duration?: number;
  sampleRate?: number;
  numberOfChannels?: number;
  bitrate?: number;
  lossless?: boolean;
  hasAudio?: boolean;
}

export interface ParsedMeta {
  common: CommonFields;
  format: FormatFields;
  /** tag types found, as music-metadata names them ('ID3v2.3', 'vorbis', 'iTunes', ...) */
  tagTypes: readonly string[];
  warnings: readonly string[];
}

/** A fast reader's result: the parse, and whether the file embeds a picture. */
export interface FastMeta extends ParsedMeta {
  hasCover: boolean;
  /** Ogg: the duration from the last page's granule position, when the parse itself gave none */
  oggDuration?: number | null;
}
