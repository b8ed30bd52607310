// Run the `spectag` command as another user (uid, primary gid, supplementary groups), as a member of a shared
// music group would: `node as-user.js <uid> <gid> <group,group> <spectag args...>`. Needs root to switch.
import { SPECTAG_CLI } from './cli.js';

const [uid, gid, groups, ...args] = process.argv.slice(2);
process.setgroups!(groups!.split(',').map(Number));
process.setgid!(Number(gid));
process.setuid!(Number(uid));
// the command runs when its file is the one node was started with
process.argv = [process.argv[0]!, SPECTAG_CLI, ...args];
await import(SPECTAG_CLI);
