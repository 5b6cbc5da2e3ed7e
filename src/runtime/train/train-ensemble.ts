// Training an experiment that states `ensemble N`: N members, one after
// another, each a whole run of the experiment with its own seed, then the run
// folder becomes an ensemble folder (run/ensemble.ts) scored on the validation
// images the members share:
//
//   <run>/spec.json, run.json   the experiment as stated (with its `ensemble N`)
//   <run>/member-runs/<i>/      member i's run folder (metrics, checkpoints, report)
//   <run>/members/<i>/          member i's model (its kept checkpoint), copied once it has finished
//   <run>/ensemble.json, preprocess.json, validation.json   once every member has
//
// A member's copy in members/<i>/ is what marks it finished, so `--resume`
// skips finished members, continues the one that was interrupted and trains
// the rest; a resume that changes train.epochs lengthens (or shortens) the
// finished members too, as it does a single run.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensembleSize, type ExperimentConfig } from '../../spec/config.js';
import { ENSEMBLE_FILES } from '../../spec/run-files.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { copyMember, memberFolder, readMember, writeManifest, type Member } from '../run/ensemble.js';
import { RunError } from '../run/errors.js';
import { assertFreshRunDir, defaultRunDir, exists, newRunInfo, readSpec, RUN_FILES } from '../run/folder.js';
import { MODEL_JSON } from '../run/model-io.js';
import { validateEnsemble } from './ensemble-validation.js';
import type { ValidationFigures } from './epoch-record.js';
import { trainExperiment, type TrainOptions, type TrainResult } from './loop.js';
import { assertSameExperiment, recordNewLength } from './resume.js';


/**
 * Each member's experiment: the stated one with seed `seed + i` and without
 * `ensemble`; a ratio or k-fold split keeps the experiment's seed as its own,
 * so every member validates on the same images.
 */
export function memberConfigs(config: ExperimentConfig): ExperimentConfig[] {
  const { ensemble: _, ...train } = config.train;
  const split = config.data.split.kind === 'list' ? config.data.split : { ...config.data.split, seed: config.data.split.seed ?? config.seed };
  return Array.from({ length: ensembleSize(config) }, (_, i) => ({ ...config, seed: config.seed + i, data: { ...config.data, split }, train }));
}

export interface EnsembleTrainResult {
  readonly runDir: string;
  readonly stopped: 'completed' | 'aborted';
  /** each member trained in this call (a finished member skipped on resume has none) */
  readonly members: ReadonlyArray<{ readonly seed: number; readonly result: TrainResult | null }>;
  /** the ensemble scored on the shared validation images as training scores an epoch, once every member has finished */
  readonly validation: ValidationFigures | null;
}

/** Whether member `config` has its copy, from a run trained to the length it asks for. */
async function finishedAs(copy: string, run: string, config: ExperimentConfig): Promise<boolean> {
  return (await exists(join(copy, MODEL_JSON))) && (await readSpec(run)).train.epochs === config.train.epochs;
}

export async function trainEnsemble(config: ExperimentConfig, opts: TrainOptions = {}): Promise<EnsembleTrainResult> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const configs = memberConfigs(config);
  if (configs.length < 2) throw new RunError(`train.ensemble ${configs.length}: an ensemble trains at least 2 members`);
  const runDir = opts.resume ?? opts.out ?? defaultRunDir(config.name);
  const created = opts.resume === undefined;
  if (created) {
    await assertFreshRunDir(runDir);
    await mkdir(runDir, { recursive: true });
    await writeJsonAtomic(join(runDir, RUN_FILES.spec), config);
    await writeJsonAtomic(join(runDir, RUN_FILES.run), newRunInfo());
  } else {
    const saved = await readSpec(runDir);
    assertSameExperiment(runDir, saved, config);
    await recordNewLength(runDir, saved.train.epochs, config, log, 'every member trains to the new length');
  }

  const members: Member[] = [];
  const trained: Array<{ seed: number; result: TrainResult | null }> = [];
  for (const [i, member] of configs.entries()) {
    const heading = `member ${i + 1} of ${configs.length}: seed ${member.seed}`;
    const dir = join(runDir, ENSEMBLE_FILES.memberRuns, String(i));
    if (await finishedAs(join(runDir, memberFolder(i)), dir, member)) {
      log(`${heading}: finished before`);
      members.push(await readMember(dir));
      trained.push({ seed: member.seed, result: null });
      continue;
    }
    log(heading);
    const begun = await exists(join(dir, RUN_FILES.last, MODEL_JSON));
    // a member that died before its first epoch leaves a folder a fresh run refuses
    if (!begun) await rm(dir, { recursive: true, force: true });
    let result: TrainResult;
    try {
      result = await trainExperiment(member, { ...opts, out: begun ? undefined : dir, resume: begun ? dir : undefined });
    } catch (err) {
      // a first member that could not start (a bad dataset) leaves no half-made run behind
      if (created && i === 0 && !(await exists(dir))) await rm(runDir, { recursive: true, force: true });
      throw err;
    }
    trained.push({ seed: member.seed, result });
    if (result.stopped === 'aborted') return { runDir, stopped: 'aborted', members: trained, validation: null };
    if (result.best === null) throw new RunError(`${dir}: member ${i + 1} finished without a scored epoch, so it has no best checkpoint`);
    const finished = await readMember(dir);
    await copyMember(finished, runDir, i);
    members.push(finished);
  }
  await writeManifest(runDir, members, config);
  log(`ensemble: ${members.length} members in ${runDir}; scoring it on the validation images they share`);
  const validation = await validateEnsemble(runDir, { backend: opts.backend, log });
  return { runDir, stopped: 'completed', members: trained, validation };
}
