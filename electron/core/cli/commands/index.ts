// Every `spectag` sub-command, in the order `spectag --help` lists them. Add new commands here.
// Each command module is loaded only when it runs: some pull in TF.js, the tag writer or the web server,
// which would make every `spectag list` pay for them. (`spectag --help` loads them all for their summaries.)
import type { Command } from '../command.js';

export interface CommandEntry {
  name: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'scan', load: async () => (await import('./scan.js')).scanCommand },
  { name: 'list', load: async () => (await import('./list.js')).listCommand },
  { name: 'stats', load: async () => (await import('./stats.js')).statsCommand },
  { name: 'analyze', load: async () => (await import('./analyze.js')).analyzeCommand },
  { name: 'doctor', load: async () => (await import('./doctor.js')).doctorCommand },
  { name: 'albums', load: async () => (await import('./albums.js')).albumsCommand },
  { name: 'decide', load: async () => (await import('./decide.js')).decideCommand },
  { name: 'write', load: async () => (await import('./write.js')).writeCommand },
  { name: 'undo', load: async () => (await import('./undo.js')).undoCommand },
  { name: 'predict', load: async () => (await import('./predict.js')).predictCommand },
  { name: 'serve', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'learn', load: async () => (await import('./learn.js')).learnCommand },
  { name: 'settings', load: async () => (await import('./settings.js')).settingsCommand },
];
