// `r2u ensemble <run-or-family…> --out DIR`: several trained models as one
// model folder that segments with the mean of their probability maps. A sweep
// family stands for its finished trials (a family over `seed` is the usual
// source). eval, predict and export-web take the folder like a checkpoint.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../exit-codes.js';
import { UsageError } from '../flags.js';
import { reportRunFailure } from '../run-failure.js';
import { FAMILY_FILE, readFamily, readState, trialDir } from '../sweep-family.js';

export function registerEnsemble(program: Command): void {
  program
    .command('ensemble')
    .description('join trained runs (or a sweep family\'s finished trials) into one model that averages their probability maps')
    .argument('<members...>', 'run folders (their best checkpoint), checkpoint directories, or sweep family folders')
    .requiredOption('--out <dir>', 'the ensemble\'s folder (new or empty)')
    .action(async (members: string[], flags: { out: string }) => {
      process.exitCode = await ensembleCommand(members, flags.out);
    });
}

/** Each argument as member folders: a family's finished trials, in its order; anything else as given. */
async function memberFolders(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    if (!existsSync(join(path, FAMILY_FILE))) {
      out.push(path);
      continue;
    }
    const family = await readFamily(path);
    if (!family) throw new UsageError(`${join(path, FAMILY_FILE)}: not a readable sweep`);
    const done = [];
    for (const t of family.trials) if ((await readState(path, t.alias)).status === 'done') done.push(trialDir(path, t.alias));
    if (done.length === 0) throw new UsageError(`${path}: no finished trial to take as a member`);
    out.push(...done);
  }
  return out;
}

/**
 * Scores the new ensemble on its members' shared validation images as training
 * scores an epoch (validation.json, what `r2u compare` reads), where they share
 * them and the data is at hand; the ensemble is made either way.
 */
async function scoreOnValidation(out: string): Promise<void> {
  const { validateEnsemble } = await import('../../runtime/train/ensemble-validation.js');
  const { DataError } = await import('../../runtime/data/index.js');
  try {
    const record = await validateEnsemble(out);
    if (record === null) process.stderr.write("ensemble: not scored on validation: its members validated on different images, so each trained on some of the others'\n");
    else process.stderr.write(`ensemble: validation dice ${record.val_dice.toFixed(4)}, auc ${record.val_auc.toFixed(4)} (${Object.keys(record.val_images ?? {}).join(', ')}), as training scores an epoch\n`);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    process.stderr.write(`ensemble: not scored on validation, the data is not at hand (${err.message}); r2u compare needs that score\n`);
  }
}

async function ensembleCommand(paths: string[], out: string): Promise<number> {
  try {
    const { writeEnsemble } = await import('../../runtime/run/ensemble.js');
    const members = await memberFolders(paths);
    const manifest = await writeEnsemble(members, out);
    process.stderr.write(`ensemble: ${out} (${manifest.members.length} members: ${manifest.sources.join(', ')})\n`);
    await scoreOnValidation(out);
    return EXIT.ok;
  } catch (err) {
    return reportRunFailure(err, 'r2u ensemble');
  }
}
