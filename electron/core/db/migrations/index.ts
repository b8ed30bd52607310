// The ordered list of schema migrations. Add a new file with the next number; never edit an old one.
import type { Migration } from './types.js';
import { migration as m001 } from './001-library.js';
import { migration as m002 } from './002-text-search.js';
import { migration as m003 } from './003-analysis.js';
import { migration as m004 } from './004-decisions.js';
import { migration as m005 } from './005-predictions.js';
import { migration as m006 } from './006-personal-models.js';
import { migration as m007 } from './007-vocabulary.js';
import { migration as m008 } from './008-suggestion-counts.js';
import { migration as m009 } from './009-prediction-outputs.js';
import { migration as m010 } from './010-text-index-in-batches.js';
import { migration as m011 } from './011-write-safety.js';
import { migration as m012 } from './012-albums.js';
import { migration as m013 } from './013-app-settings.js';
import { migration as m014 } from './014-audio-identity.js';
import { migration as m015 } from './015-suggestion-sets.js';

export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012, m013, m014, m015];
export type { Migration };
