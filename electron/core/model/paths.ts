// Where the shipped model files are: native-models/ at the repository (or packaged app) root.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** .build/electron/core/model → four levels up is the root that holds native-models/. */
export const NATIVE_MODELS_DIR = process.env.SPECTAG_MODELS_DIR ?? join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'native-models');
