// `r2u data preview <spec> [--out file.png] [--set k=v...]`: loads the spec's
// dataset through the exact training pipeline (validation, preprocessing,
// split, sampler with augmentation) and writes a PNG contact sheet of
// preprocessed images and sampled patches next to their labels.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { collect, parseCount } from '../flags.js';
import { exitCodeFor, printDiagnostics } from '../print-diagnostics.js';
import { reportRunFailure } from '../run-failure.js';

interface PreviewFlags {
  out: string;
  set: string[];
  images: string;
  patches: string;
}

export function registerData(program: Command): void {
  const data = program.command('data').description('inspect the data pipeline of an experiment');
  data
    .command('preview')
    .description('write a PNG of preprocessed training images and augmented patches with their labels')
    .argument('<spec>', 'experiment spec (.r2u)')
    .option('-o, --out <file>', 'output PNG', 'data-preview.png')
    .option('--set <path=value>', 'override a setting (repeatable), e.g. data.dataset.count=4', collect, [])
    .option('--images <n>', 'preprocessed images shown', '4')
    .option('--patches <n>', 'sampled patches shown', '16')
    .action(async (spec: string, flags: PreviewFlags) => {
      process.exitCode = await previewCommand(spec, flags);
    });
}

async function previewCommand(spec: string, flags: PreviewFlags): Promise<number> {
  // heavy modules (sharp, the runtime) load only when the command runs
  const images = parseCount('--images', flags.images, 0);
  const patches = parseCount('--patches', flags.patches, 0);
  const { loadExperiment } = await import('../../compiler/index.js');
  const loaded = await loadExperiment(spec, { sets: flags.set });
  printDiagnostics(loaded.diagnostics);
  if (loaded.config === undefined) return exitCodeFor(loaded.diagnostics);
  const config = loaded.config;
  try {
    const { loadTrainingSplit, PatchSampler, writePreview } = await import('../../runtime/data/index.js');
    const { dataset, train, val, extra } = await loadTrainingSplit(config.data, { seed: config.seed, log: (line) => console.error(line) });
    const sampler = new PatchSampler(train, config.data.patches, config.data.augment, config.seed, { extra });
    await writePreview(train, sampler, flags.out, { images, patches });
    console.log(`wrote ${flags.out}: ${dataset.images.length} images (${train.length} train, ${val.length} val: ${val.map((v) => v.id).join(', ')})`);
    return EXIT.ok;
  } catch (err) {
    return reportRunFailure(err, 'r2u data preview');
  }
}
