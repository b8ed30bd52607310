// A Spectag process that is killed (SIGKILL, like kill -9 or a power cut) in the middle of writing genres:
// `node write-then-die.js <db> <step>` plans and applies a write of every decided file, and kills itself
// when the first file reaches <step>. Used by the crash tests.
import { openDatabase } from '../../electron/core/db/open.js';
import { applyWrite, planWrite } from '../../electron/core/tags/write.js';

const [dbPath, step] = process.argv.slice(2);
const db = openDatabase(dbPath!);
await applyWrite(db, planWrite(db, {}, 'replace'), {
  onStep: (_path, s) => {
    if (s === step) process.kill(process.pid, 'SIGKILL');
  },
});
console.log('not killed: the step never came');
