// An ensemble: several trained checkpoints that segment as one, by averaging
// their probability maps. Its folder is a model folder like any checkpoint's,
// so eval, predict and the browser page take it where they take a checkpoint:
//
//   ensemble.json      the members (relative folders) and where each came from
//   spec.json          the first member's spec (inference and eval settings)
//   preprocess.json    the preprocessing statistics all members share
//   members/<i>/       each member's model.json, weights.bin, spec.json, preprocess.json
//
// Members must read the same input: the same preprocessing (ops and fitted
// statistics) and the same depth (the padding multiple of whole-image
// inference). They may differ in anything else (seed, width, loss …).
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../spec/config.js';
import { canonicalJson } from '../../spec/content-hash.js';
import { ENSEMBLE_FILES } from '../../spec/run-files.js';
import { writeJsonAtomic } from './atomic.js';
import { resolveCheckpointDir } from './checkpoint.js';
import { RunError } from './errors.js';
import { assertFreshRunDir, exists, readJson, readSpec, RUN_FILES } from './folder.js';
import { ENSEMBLE_JSON, MODEL_JSON, WEIGHTS_BIN } from './model-io.js';

/** what each member keeps of its checkpoint */
export const MEMBER_FILES = [MODEL_JSON, WEIGHTS_BIN, RUN_FILES.spec, RUN_FILES.preprocess] as const;

export interface EnsembleManifest {
  /** each member's folder, relative to the ensemble's */
  readonly members: readonly string[];
  /** the run or checkpoint each member was copied from, as given */
  readonly sources: readonly string[];
  /** where each member trained (its run's run.json machine line and backend.json description; null where its source is a bare checkpoint); absent in ensembles made before it was recorded */
  readonly trained_on?: ReadonlyArray<{ readonly machine: string | null; readonly backend: string | null }>;
}

export const isEnsembleDir = (dir: string): Promise<boolean> => exists(join(dir, ENSEMBLE_JSON));

/** Each member's spec (its split and seed say which images it validated on). */
export async function memberSpecs(dir: string, manifest: EnsembleManifest): Promise<ExperimentConfig[]> {
  return Promise.all(manifest.members.map((m) => readSpec(join(dir, m))));
}

export async function readEnsemble(dir: string): Promise<EnsembleManifest> {
  const manifest = await readJson<EnsembleManifest>(join(dir, ENSEMBLE_JSON), 'ensemble manifest');
  if (!Array.isArray(manifest.members) || manifest.members.length === 0 || !manifest.members.every((m) => typeof m === 'string')) {
    throw new RunError(`${join(dir, ENSEMBLE_JSON)}: "members" must list the members' folders`);
  }
  return manifest;
}

/** A member: its checkpoint, the spec it trained with and the preprocessing statistics it fitted. */
export interface Member {
  readonly source: string;
  readonly checkpoint: string;
  readonly spec: ExperimentConfig;
  readonly stats: unknown;
  readonly trainedOn: { readonly machine: string | null; readonly backend: string | null };
}

/** A member from a run folder (its model: the checkpoint its spec keeps) or a checkpoint folder. */
export async function readMember(source: string): Promise<Member> {
  const checkpoint = await resolveCheckpointDir(source);
  if (await isEnsembleDir(checkpoint)) throw new RunError(`${source}: is an ensemble itself; give its members instead`);
  for (const f of MEMBER_FILES) if (!(await exists(join(checkpoint, f)))) throw new RunError(`${checkpoint}: no ${f}; a member needs ${MEMBER_FILES.join(', ')}`);
  const spec = await readSpec(checkpoint);
  const stats = await readJson<unknown>(join(checkpoint, RUN_FILES.preprocess), 'preprocessing statistics');
  // a run folder says where it trained; a bare checkpoint does not
  const field = async (file: string, key: string): Promise<string | null> => {
    const value = await readJson<Record<string, unknown>>(join(source, file), file).then((o) => o[key], () => null);
    return typeof value === 'string' ? value : null;
  };
  return { source, checkpoint, spec, stats, trainedOn: { machine: await field(RUN_FILES.run, 'machine'), backend: await field(RUN_FILES.backend, 'description') } };
}

/** Refuses members that would not read the same input as the first. */
function assertCompatible(members: readonly Member[]): void {
  const [first, ...rest] = members;
  for (const m of rest) {
    const differs = (what: string) => new RunError(`${m.source}: its ${what} differs from ${first.source}'s; an ensemble's members must read the same input`);
    if (canonicalJson(m.spec.data.preprocess) !== canonicalJson(first.spec.data.preprocess)) throw differs('preprocessing (data.preprocess)');
    if (canonicalJson(m.stats) !== canonicalJson(first.stats)) throw differs('fitted preprocessing statistics (preprocess.json)');
    if (m.spec.model.depth !== first.spec.model.depth) throw differs('model depth');
  }
}

/** The folder member `index` is kept in, relative to the ensemble's. */
export const memberFolder = (index: number): string => join(ENSEMBLE_FILES.members, String(index));

/** Copies a member's checkpoint into the ensemble folder `out`, as member `index`. */
export async function copyMember(member: Member, out: string, index: number): Promise<void> {
  await mkdir(join(out, memberFolder(index)), { recursive: true });
  for (const f of MEMBER_FILES) await copyFile(join(member.checkpoint, f), join(out, memberFolder(index), f));
}

/**
 * Writes the ensemble's own files once its members are in place: `spec` (the
 * ensemble's inference and eval settings), the shared statistics, and the
 * manifest last, since a folder without it is not taken for an ensemble.
 */
export async function writeManifest(out: string, members: readonly Member[], spec: ExperimentConfig): Promise<EnsembleManifest> {
  if (members.length < 2) throw new RunError(`an ensemble needs at least 2 members, ${members.length} given`);
  assertCompatible(members);
  const manifest: EnsembleManifest = { members: members.map((_, i) => memberFolder(i)), sources: members.map((m) => m.source), trained_on: members.map((m) => m.trainedOn) };
  await writeJsonAtomic(join(out, RUN_FILES.spec), spec);
  await writeJsonAtomic(join(out, RUN_FILES.preprocess), members[0].stats);
  await writeJsonAtomic(join(out, ENSEMBLE_JSON), manifest);
  return manifest;
}

/**
 * Copies each member's checkpoint (a run folder's best, or a checkpoint
 * folder) into `out` and writes the manifest. `out` must be new or empty.
 */
export async function writeEnsemble(sources: readonly string[], out: string): Promise<EnsembleManifest> {
  if (sources.length < 2) throw new RunError(`an ensemble needs at least 2 members, ${sources.length} given`);
  const members: Member[] = [];
  for (const source of sources) members.push(await readMember(source));
  assertCompatible(members);
  await assertFreshRunDir(out);
  for (const [i, m] of members.entries()) await copyMember(m, out, i);
  return writeManifest(out, members, members[0].spec);
}
