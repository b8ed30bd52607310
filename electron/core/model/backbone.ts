// A backbone is data: an ONNX file, the front end that makes its input, and its named outputs, described by
// native-models/<id>/backbone.json. Adding a backbone means adding such a folder (and, for a new front end, its
// entry in FRONT_ENDS), not a new inference code path.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MEL } from '../spectrogram/mel.js';
import { EFFICIENTAT_MEL } from '../spectrogram/efficientat-mel.js';

/**
 * The front ends the app can compute; a backbone names one. Shapes are per item, without the batch axis; null: any
 * length (`typicalShape` fills it in, e.g. for a self-test input).
 */
export const FRONT_ENDS = {
  /** musicnn's log-mel (spectrogram/mel.ts): 16 kHz, 187 frames × 96 bands ≈ 3 s per patch */
  'musicnn-logmel-16k': { sampleRate: MEL.sampleRate, patchShape: [MEL.patchFrames, MEL.nMels], typicalShape: [MEL.patchFrames, MEL.nMels] },
  /** EfficientAT's log-mel (spectrogram/efficientat-mel.ts): 32 kHz, 128 bands, windows of any length (~10 s: 1000 frames) */
  'efficientat-logmel-32k': { sampleRate: EFFICIENTAT_MEL.sampleRate, patchShape: [1, EFFICIENTAT_MEL.nMels, null], typicalShape: [1, EFFICIENTAT_MEL.nMels, 1000] },
} as const satisfies Record<string, { sampleRate: number; patchShape: readonly (number | null)[]; typicalShape: readonly number[] }>;
export type FrontEndName = keyof typeof FRONT_ENDS;

const BackboneJson = z.object({
  format: z.literal('spectag-backbone'),
  formatVersion: z.literal(1),
  id: z.string().min(1),
  onnx: z.string().min(1),
  /** TF.js weights of the same network (the fallback runtime), when there is a TF.js rebuild of it */
  tfjs: z.string().min(1).optional(),
  frontEnd: z.string(),
  input: z.object({ name: z.string().min(1), shape: z.array(z.number().int().positive().nullable()).min(2) }),
  /** output name → values per patch */
  outputs: z.record(z.string(), z.number().int().positive()),
  labels: z.string().optional(),
});

export interface Backbone {
  readonly id: string;
  readonly dir: string;
  readonly onnxPath: string;
  /** folder of the TF.js weights (model.json), or null when this backbone runs on ONNX Runtime only */
  readonly tfjsDir: string | null;
  readonly frontEnd: FrontEndName;
  readonly inputName: string;
  /** per item, without the batch axis (e.g. [187, 96]); null: any length */
  readonly patchShape: readonly (number | null)[];
  /** a full-size item's shape (patchShape with its free lengths filled in), e.g. for a self-test input */
  readonly typicalShape: readonly number[];
  /** output name → floats per patch, in the order of backbone.json */
  readonly outputs: Readonly<Record<string, number>>;
  /** every file the backbone's numbers depend on (for the model version) */
  readonly files: readonly string[];
}

export async function loadBackbone(modelsDir: string, id: string): Promise<Backbone> {
  const dir = join(modelsDir, id);
  const file = join(dir, 'backbone.json');
  let json: z.infer<typeof BackboneJson>;
  try {
    json = BackboneJson.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    throw new Error(`${file}: ${err instanceof z.ZodError ? z.prettifyError(err).replace(/\n/g, '; ') : (err as Error).message}`);
  }
  if (json.id !== id) throw new Error(`${file}: id ${json.id} does not match its folder ${id}`);
  if (!(json.frontEnd in FRONT_ENDS)) throw new Error(`${file}: unknown front end ${json.frontEnd} (known: ${Object.keys(FRONT_ENDS).join(', ')})`);
  const frontEnd = json.frontEnd as FrontEndName;
  const patchShape = json.input.shape.slice(1);
  const expected = FRONT_ENDS[frontEnd].patchShape;
  if (patchShape.length !== expected.length || patchShape.some((d, i) => d !== expected[i])) {
    throw new Error(`${file}: input shape [${patchShape.join(', ')}] is not what ${frontEnd} makes ([${expected.join(', ')}])`);
  }
  const files = [file, join(dir, json.onnx)];
  let tfjsDir: string | null = null;
  if (json.tfjs) {
    tfjsDir = dir;
    const manifest = JSON.parse(await readFile(join(dir, json.tfjs), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    files.push(join(dir, json.tfjs), ...manifest.weightsManifest.flatMap((g) => g.paths.map((p) => join(dir, p))));
  }
  return {
    id, dir, onnxPath: join(dir, json.onnx), tfjsDir, frontEnd, inputName: json.input.name, patchShape,
    typicalShape: FRONT_ENDS[frontEnd].typicalShape, outputs: json.outputs, files,
  };
}
