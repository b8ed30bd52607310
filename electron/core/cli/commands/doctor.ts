// spectag doctor: what Spectag runs on (ffmpeg binary and version, a real decode self-test, the machine)
// and the state of the library database and its analysis, without changing anything.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { EXIT, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { resolveDbPath } from '../../db/paths.js';
import { DatabaseDamagedError, SCHEMA_VERSION, damagedDatabaseMessage, isDatabaseDamaged, openDatabase, type Db } from '../../db/open.js';
import { AnalysisStore } from '../../db/analysis.js';
import { findFfmpeg, probeFfmpeg, type FfmpegInfo } from '../../audio/ffmpeg-binary.js';
import { decodeExcerpts } from '../../audio/decode.js';
import { measureLevels } from '../../audio/levels.js';
import { logMelSpectrogram, melBandCentresHz } from '../../spectrogram/mel.js';
import { analysisCacheDirFor, listeningPipelineId } from '../../jobs/pipeline.js';
import type { AnalysisStats } from '../../../shared/analysis.js';
import { describeModelReport, modelDoctorReport } from '../../model/doctor-report.js';

interface IntegrityCheck {
  ok: boolean;
  ms: number;
  /** SQLite's findings (the first 20), empty when ok */
  problems: string[];
}

/** SQLite's own integrity check: every page, index and constraint (a damaged file often opens fine). */
function integrityCheck(db: Db): IntegrityCheck {
  const started = performance.now();
  const rows = db.pragma('integrity_check(20)') as { integrity_check: string }[];
  const problems = rows.map((r) => r.integrity_check).filter((x) => x !== 'ok');
  return { ok: problems.length === 0, ms: performance.now() - started, problems };
}

interface SelfTest {
  ok: boolean;
  ms: number;
  detail: string;
}

/** Make a 2 s stereo 1 kHz tone with this ffmpeg, decode it the way analysis does, and check what comes out. */
async function decodeSelfTest(ffmpegPath: string): Promise<SelfTest> {
  const dir = mkdtempSync(join(tmpdir(), 'spectag-doctor-'));
  const started = performance.now();
  try {
    const file = join(dir, 'tone.mp3');
    execFileSync(ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i',
      'sine=frequency=1000:sample_rate=44100:duration=2', '-af', 'volume=4,pan=stereo|c0=c0|c1=c0', '-c:a', 'libmp3lame', file],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15_000 });
    const t0 = performance.now();
    const [excerpt] = await decodeExcerpts(file, [{ startSec: 0.5, durationSec: 1 }], { ffmpegPath, timeoutMs: 15_000 });
    const ms = performance.now() - t0;
    if (!excerpt) return { ok: false, ms, detail: 'no audio came out' };
    const spec = logMelSpectrogram(excerpt.pcm);
    const mid = Math.floor(spec.frames / 2) * 96;
    let band = 0;
    for (let m = 1; m < 96; m++) if (spec.data[mid + m]! > spec.data[mid + band]!) band = m;
    const centres = melBandCentresHz();
    let expected = 0;
    for (let m = 1; m < 96; m++) if (Math.abs(centres[m]! - 1000) < Math.abs(centres[expected]! - 1000)) expected = m;
    // a 0.5-amplitude sine is −9.0 dBFS RMS (MP3 coding takes ~0.6 dB off); averaging two equal channels keeps it
    // there, where ffmpeg's plain -ac 1 would give −6
    const { rmsDb } = measureLevels([excerpt.pcm]);
    const ok = Math.abs(excerpt.pcm.length - 16000) <= 160 && Math.abs(band - expected) <= 1 && Math.abs(rmsDb + 9.03) < 1.5;
    return {
      ok, ms,
      detail: `${excerpt.pcm.length} samples at 16 kHz, 1 kHz tone in mel band ${band} (expected ${expected}), ` +
        `level ${rmsDb.toFixed(1)} dBFS (expected about −9: channels averaged)`,
    };
  } catch (err) {
    return { ok: false, ms: performance.now() - started, detail: (err as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the ffmpeg in use (path, version, a decode self-test) and the database and analysis state',
  usage: `Usage: spectag doctor [--db FILE] [--json]

Prints which ffmpeg binary Spectag uses (SPECTAG_FFMPEG, else the one bundled in the npm package, else
the PATH) with its version and the decoders it lacks, decodes a generated test tone the way analysis does,
summarises the library database (schema, analysis results by kind, queue, picture cache) and checks its
integrity (SQLite's integrity_check: every page and index). Changes nothing.
Exit codes: 0 all good, 1 warnings (e.g. missing decoders), 3 ffmpeg cannot decode or the database is damaged.`,
  options: { ...DB_OPTION, json: { type: 'boolean' } },
  allowPositionals: false,
  async run({ values }, io) {
    const ffmpeg = findFfmpeg(io.env);
    let info: FfmpegInfo | null = null;
    let probeError: string | null = null;
    try {
      info = probeFfmpeg(ffmpeg.path);
    } catch (err) {
      probeError = (err as Error).message.split('\n')[0] ?? String(err);
    }
    const selfTest = info ? await decodeSelfTest(ffmpeg.path) : null;
    const missing = info
      ? [...Object.entries(info.decoders), ...Object.entries(info.filters)].filter(([, has]) => !has).map(([n]) => n)
      : [];

    const dbPath = resolveDbPath(typeof values.db === 'string' ? values.db : undefined, io.env);
    const pipeline = listeningPipelineId();
    let database: {
      path: string; exists: boolean; schemaVersion?: number; appSchemaVersion: number; files?: number; analysis?: AnalysisStats;
      cacheDir?: string; cacheExists?: boolean; error?: string; integrity?: IntegrityCheck;
    } = { path: dbPath, exists: existsSync(dbPath), appSchemaVersion: SCHEMA_VERSION };
    if (database.exists) {
      try {
        const db = openDatabase(dbPath, { readonly: true });
        try {
          database.integrity = integrityCheck(db);
          if (!database.integrity.ok) throw Object.assign(new Error(database.integrity.problems[0]), { code: 'SQLITE_CORRUPT' });
          const version = db.pragma('user_version', { simple: true }) as number;
          const cacheDir = analysisCacheDirFor(dbPath);
          database = {
            ...database, schemaVersion: version, cacheDir, cacheExists: existsSync(cacheDir),
            files: (db.prepare("SELECT count(*) AS n FROM files WHERE status = 'ok'").get() as { n: number }).n,
            analysis: version >= 3 ? new AnalysisStore(db, cacheDir).stats(pipeline) : undefined,
          };
        } finally {
          db.close();
        }
      } catch (err) {
        // SQLite's own words: the ways back are printed below
        database.error = err instanceof DatabaseDamagedError ? err.reason : (err as Error).message;
        if (isDatabaseDamaged(err)) database.integrity = { ok: false, ms: database.integrity?.ms ?? 0, problems: database.integrity?.problems.length ? database.integrity.problems : [database.error] };
      }
    }
    const damaged = database.integrity?.ok === false;

    const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cores: availableParallelism() };
    const model = await modelDoctorReport();
    const failed = !info || !selfTest?.ok || damaged;
    const code = failed ? EXIT.FAILED : missing.length || database.error ? EXIT.PARTIAL : EXIT.OK;
    if (values.json) {
      io.stdout.write(JSON.stringify({ ffmpeg: { ...ffmpeg, ...info, error: probeError, missing, selfTest }, database, pipeline, machine, model }, null, 2) + '\n');
      return code;
    }
    const lines: string[] = [];
    lines.push(`ffmpeg: ${ffmpeg.path} (${ffmpeg.source}${ffmpeg.source === 'configured' ? ' by SPECTAG_FFMPEG' : ''})`);
    if (info) lines.push(`  ${info.version}`);
    else lines.push(`  error: cannot run it: ${probeError}`);
    if (info) lines.push(missing.length ? `  warning: missing ${missing.join(', ')} (files needing them will fail)` : '  decoders and filters: all present');
    if (selfTest) lines.push(`  decode self-test: ${selfTest.ok ? 'ok' : 'FAILED'} in ${selfTest.ms.toFixed(0)} ms: ${selfTest.detail}`);
    lines.push(`machine: node ${machine.node}, ${machine.platform}, ${machine.cores} cores`);
    lines.push(`pipeline: ${pipeline}`);
    lines.push(...describeModelReport(model));
    if (!database.exists) lines.push(`database: ${dbPath} does not exist yet (run \`spectag scan <folder>\`)`);
    else if (damaged) {
      const problems = database.integrity!.problems;
      lines.push(`database: ${dbPath}`, `  integrity check: FAILED (${problems.length} problem${problems.length === 1 ? '' : 's'}${problems.length === 20 ? ' or more' : ''}):`);
      for (const p of problems.slice(0, 5)) lines.push(`    ${p}`);
      // the ways back, less the one being taken
      lines.push(...damagedDatabaseMessage(dbPath, database.error).split('\n').slice(2).filter((l) => !l.includes('spectag doctor')).map((l) => `  ${l}`));
    } else if (database.error) lines.push(`database: ${dbPath}: error: ${database.error}`);
    else {
      lines.push(`database: ${dbPath} (schema ${database.schemaVersion}, this Spectag: ${SCHEMA_VERSION}), ${database.files} readable files`);
      lines.push(`  integrity check: ok (${database.integrity!.ms.toFixed(0)} ms)`);
      const a = database.analysis;
      if (!a) lines.push('  analysis: not yet (the schema is upgraded by the next scan or analyze)');
      else {
        lines.push(`  analysis: ${a.analysed} analysed (${a.ok} ok, ${a.silent} silent, ${a.errors} failed), ${a.outdated} outdated, ${a.queued} queued`);
        if (a.errors) lines.push(`  failures by kind: ${Object.entries(a.errorsByKind).map(([k, n]) => `${k} ${n}`).join(', ')}`);
      }
      lines.push(`  picture cache: ${database.cacheDir}${database.cacheExists ? '' : ' (not created yet)'}`);
    }
    io.stdout.write(lines.join('\n') + '\n');
    return code;
  },
};
