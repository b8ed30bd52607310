// `node --import <this>`: resolve the module 'electron' to the fake beside this file (main-process boot test).
import { register } from 'node:module';

register(new URL('./hooks.js', import.meta.url));
