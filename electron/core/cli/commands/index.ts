// Every `spectag` sub-command, in the order `spectag --help` lists them. Add new commands here.
import type { Command } from '../command.js';
import { scanCommand } from './scan.js';
import { listCommand } from './list.js';
import { statsCommand } from './stats.js';
import { analyzeCommand } from './analyze.js';
import { doctorCommand } from './doctor.js';
import { decideCommand } from './decide.js';
import { writeCommand } from './write.js';
import { undoCommand } from './undo.js';
import { predictCommand } from './predict.js';
import { serveCommand } from './serve.js';
import { learnCommand } from './learn.js';

export const COMMANDS: readonly Command[] = [scanCommand, listCommand, statsCommand, analyzeCommand, doctorCommand, decideCommand, writeCommand, undoCommand, predictCommand, serveCommand, learnCommand];
