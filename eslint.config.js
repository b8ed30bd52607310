// Lint rules for the TypeScript sources. Type-aware rules are left out to keep `npm test` fast on 2 cores.
// The second half encodes the layers of electron/README.md ("who may import whom") as per-folder
// no-restricted-imports rules, so a wrong import fails `npm test` instead of waiting for a reviewer.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------------
// The layers. Each rule below forbids imports by their specifier; relative specifiers are matched by
// where they lead ("../../main/x.js" from a core file is the main process).

const NODE = {
  paths: builtinModules.map((name) => ({ name, message: 'plain TypeScript here: no Node.js modules' })),
  patterns: [{ regex: '^node:', message: 'plain TypeScript here: no Node.js modules' }],
};
const ELECTRON = {
  paths: [{ name: 'electron', message: "electron/core runs in plain Node: never import 'electron'" }],
  patterns: [],
};
/** Out of electron/core into the Electron shell or the window. */
const SHELL = {
  paths: [],
  patterns: [{ regex: '^(\\.\\./)+(main|preload|renderer)/', message: 'electron/core never imports the Electron shell or the window' }],
};
const FEATURES = ['audio', 'spectrogram', 'library', 'model', 'jobs', 'tags', 'personal', 'media', 'albums'];
const above = (folders, message) => ({ paths: [], patterns: [{ regex: `^(\\.\\./)+(${folders.join('|')})/`, message }] });

/** One no-restricted-imports rule out of several restrictions (ESLint keeps only the last rule per file). */
function restrict(...parts) {
  return ['error', { paths: parts.flatMap((p) => p.paths), patterns: parts.flatMap((p) => p.patterns) }];
}

const LAYERS = [
  {
    // API types, channel names, schemas, the genre vocabulary: shared by every process, the window included
    files: ['electron/shared/**/*.ts'],
    rule: restrict(NODE, ELECTRON, {
      paths: [],
      patterns: [
        { regex: '^\\.\\./', message: 'electron/shared imports only electron/shared' },
        { regex: '^(?!zod(/|$)|node:)[^.]', message: 'electron/shared imports no package but zod' },
      ],
    }),
    globals: ['Buffer', 'process', 'require', '__dirname', '__filename', 'window', 'document', 'navigator', 'localStorage', 'sessionStorage'],
  },
  {
    // the stores: SQL over the library database, below every feature
    files: ['electron/core/db/**/*.ts'],
    rule: restrict(ELECTRON, SHELL, above([...FEATURES, 'service', 'server', 'cli'], 'electron/core/db is below the features: it imports only db and shared')),
  },
  {
    files: FEATURES.map((f) => `electron/core/${f}/**/*.ts`),
    rule: restrict(ELECTRON, SHELL, above(['service', 'server', 'cli'], 'a feature folder never imports the services, the server or the command line above it')),
  },
  {
    // the feature services and the composition root that implements the app API
    files: ['electron/core/service/**/*.ts'],
    rule: restrict(ELECTRON, SHELL, above(['server', 'cli'], 'the services never import the web server or the command line')),
  },
  {
    files: ['electron/core/server/**/*.ts'],
    rule: restrict(ELECTRON, SHELL, above(['cli'], 'the web server never imports the command line')),
  },
  {
    files: ['electron/core/cli/**/*.ts'],
    rule: restrict(ELECTRON, SHELL),
  },
  {
    // Electron glue: reaches the engine through its services only
    files: ['electron/main/**/*.ts'],
    rule: restrict({
      paths: [],
      patterns: [
        { regex: '^\\.\\./(preload|\\.\\./renderer)/', message: 'the main process does not import the preload or the window' },
        { regex: '^\\.\\./core/(?!service/)', message: 'the main process reaches the engine through electron/core/service only' },
      ],
    }),
  },
  {
    // the window: the engine only through renderer/src/lib/api.ts, shared types and constants only
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte/*.ts'],
    rule: restrict(NODE, {
      paths: [{ name: 'electron', message: 'the window talks to the engine through renderer/src/lib/api.ts only' }],
      patterns: [{ regex: '^(\\.\\./)+electron/(?!shared/)', message: 'the window imports only electron/shared (types and constants); the engine is reached through lib/api.ts' }],
    }),
  },
];

// ---------------------------------------------------------------------------------------------------
// Long functions are hard to change safely: the app's functions stay within 60 lines (blank lines and comments
// not counted). The few below are longer, each for the reason given; each file's cap is its longest function
// today, so none can grow, and splitting one lowers its cap (or removes the entry).

const FUNCTION_LINES = { max: 60, skipBlankLines: true, skipComments: true };
const LONG_FUNCTIONS = [
  ['electron/core/spectrogram/fft.ts', 92, 'powerSpectrum: the real FFT\'s inner loops, run for every spectrogram frame; kept in one body for speed'],
  ['electron/core/library/fast/riff.ts', 88, 'readWav: walks the RIFF chunks in one pass with one cursor; a function per chunk would pass the parse state around'],
  ['electron/core/library/fast/ogg.ts', 87, 'readOgg: the page/packet walk of one Ogg stream, as riff.ts'],
  ['electron/core/library/fast/mp4.ts', 79, 'readTrack: the atom walk of an MP4 track, as riff.ts'],
  ['electron/core/db/migrations/*.ts', 82, 'a migration\'s up() is the SQL of one schema version, written once and never edited'],
  ['electron/core/tags/write.ts', 82, 'processFile: the order of the durable steps of one file\'s write (journal, replace, record) reads top to bottom'],
  ['electron/core/cli/commands/doctor.ts', 79, 'run: prints the report section by section, in the order the user reads it'],
  ['electron/core/cli/commands/predict.ts', 75, 'run: options, model, per-file output and the JSON document of one command'],
  ['electron/core/personal/train.ts', 78, 'trainDense: the training loop with its hand-written gradients, one step per epoch'],
  ['electron/core/library/walk.ts', 76, 'walkRoot: one generator holding the walk\'s state (link loops, hard links folded, names that are not UTF-8)'],
  ['electron/core/personal/dataset.ts', 64, 'labelTracks: one pass deciding each track\'s labels by the trust order of its sources'],
  ['electron/core/tags/genre-tags.ts', 64, 'writeGenreTags / restoreGenreTags: one branch per tag format, side by side'],
  ['electron/core/audio/decode.ts', 64, 'decodeAll: one ffmpeg run\'s life (spawn, pipes, timeout, cancel, exit) in one closure, so no path leaves a process behind'],
  ['electron/core/media/preview.ts', 63, 'wavPreviewStream: as decodeAll, for the streamed WAV preview'],
  ['electron/core/albums/grouping.ts', 61, 'groupAlbums: the grouping rules in the order they apply'],
];

/**
 * Lints the import lines of a Svelte component's scripts as TypeScript: everything else is blanked out
 * (lines kept, so positions stay right), since only the layer rules are checked in components.
 */
const svelteImports = {
  meta: { name: 'svelte-imports' },
  preprocess(text) {
    const kept = text.replace(/[^\n]/g, ' ').split('');
    for (const script of text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)) {
      const start = script.index + script[0].indexOf('>') + 1;
      for (const imp of script[1].matchAll(/^[ \t]*import\s[\s\S]*?['"][^'"\n]+['"];?/gm)) {
        for (let i = 0; i < imp[0].length; i++) kept[start + imp.index + i] = imp[0][i];
      }
    }
    return [{ text: kept.join(''), filename: 'imports.ts' }];
  },
  postprocess: (messages) => messages.flat(),
};

export default tseslint.config(
  { ignores: ['.build/**', 'node_modules/**', 'dist/**', 'renderer/dist/**', 'native-models/**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  ...LAYERS.map((l) => ({
    files: l.files,
    rules: {
      'no-restricted-imports': l.rule,
      ...(l.globals ? { 'no-restricted-globals': ['error', ...l.globals.map((name) => ({ name, message: 'electron/shared runs in every process: no Node.js or DOM globals' }))] } : {}),
    },
  })),
  {
    // the preload is sandboxed: it may load 'electron' only (types of electron/shared are fine: they vanish)
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!electron$)', allowTypeImports: true, message: "a sandboxed preload can load nothing but 'electron' (type imports are fine)" }],
      }],
    },
  },
  {
    // only lib/api.ts reaches the preload bridge or the web server
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte/*.ts'],
    ignores: ['renderer/src/lib/api.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'window', property: 'spectag', message: 'use renderer/src/lib/api.ts' }],
      'no-restricted-globals': ['error', ...['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource'].map((name) => ({ name, message: 'the window talks to the engine through renderer/src/lib/api.ts only' }))],
    },
  },
  { files: ['electron/**/*.ts'], rules: { 'max-lines-per-function': ['error', FUNCTION_LINES] } },
  ...LONG_FUNCTIONS.map(([file, max]) => ({ files: [file], rules: { 'max-lines-per-function': ['error', { ...FUNCTION_LINES, max }] } })),
  { files: ['renderer/src/**/*.svelte'], processor: svelteImports },
  {
    files: ['renderer/src/**/*.svelte/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: { 'no-unused-vars': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
);
