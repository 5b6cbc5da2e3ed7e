// The run folder: where `r2u train` writes everything it produces.
//
//   runs/<experiment>-<YYYYmmdd-HHMMSS>/
//     spec.json          resolved config
//     run.json           working directory (dataset roots resolve against it), machine and r2u sources
//     backend.json       backend used
//     preprocess.json    fitted preprocessing statistics
//     metrics.jsonl      one EpochRecord per line
//     checkpoints/last/  checkpoints/best/
//     curves.svg/.png, panels/<id>.png
import { access, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ExperimentConfig } from '../../spec/config.js';
import { withNewerDefaults } from '../../spec/defaults.js';
import type { EpochRecord } from '../train/epoch-record.js';
import { writeFileAtomic } from './atomic.js';
import { RUN_FILES } from '../../spec/run-files.js';
import { RunError } from './errors.js';
import { machineLine } from './machine.js';
import { sourceLine } from './source.js';

export { RUN_FILES };

/** What a new run records of where it starts: this working directory, now, this machine and these sources. */
export const newRunInfo = (): RunInfo => ({ cwd: resolve('.'), created: new Date().toISOString(), machine: machineLine(), source: sourceLine() });

export interface RunInfo {
  /** absolute working directory of the training command */
  cwd: string;
  created: string;
  /** CPUs, memory and Node.js of the machine that trained (machine.ts); absent in runs from before it was recorded */
  machine?: string;
  /** the r2u version and commit it trained with (source.ts); absent in runs from before it was recorded */
  source?: string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `runs/<name>-<YYYYmmdd-HHMMSS>` (local time), relative to the working directory. */
export function defaultRunDir(name: string, now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad2(now.getMonth() + 1)}${pad2(now.getDate())}-${pad2(now.getHours())}${pad2(now.getMinutes())}${pad2(now.getSeconds())}`;
  return join('runs', `${name}-${stamp}`);
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Refuses to train into a folder that already holds files, so one run never overwrites another. */
export async function assertFreshRunDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length > 0) throw new RunError(`${dir} already exists and is not empty; choose another --out or --resume it`);
}

export async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new RunError(`${path}: ${what} not found`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new RunError(`${path}: invalid JSON (${(err as Error).message})`);
  }
}

/** A run's resolved spec, completed with the defaults of fields added since it was written. */
export async function readSpec(dir: string): Promise<ExperimentConfig> {
  return withNewerDefaults(await readJson<ExperimentConfig>(join(dir, RUN_FILES.spec), 'resolved spec'));
}

/** metrics.jsonl is rewritten whole (atomically) each epoch; it is small. */
export function writeMetrics(dir: string, records: readonly EpochRecord[]): Promise<void> {
  return writeFileAtomic(join(dir, RUN_FILES.metrics), records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
}

export async function readMetrics(dir: string): Promise<EpochRecord[]> {
  const text = await readFile(join(dir, RUN_FILES.metrics), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EpochRecord);
}
