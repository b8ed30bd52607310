// Every `spectag` sub-command, in the order `spectag --help` lists them. Add new commands here.
import type { Command } from '../command.js';
import { scanCommand } from './scan.js';
import { listCommand } from './list.js';
import { statsCommand } from './stats.js';

export const COMMANDS: readonly Command[] = [scanCommand, listCommand, statsCommand];
