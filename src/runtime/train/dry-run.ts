// `r2u train --dry-run`: everything training would check and print before
// its first step (backend, data pipeline, split, model), with no file written.
import type { BackendName, ExperimentConfig } from '../config.js';
import { initBackend } from '../backend.js';
import { loadDataset, splitImages } from '../data/index.js';
import { buildModel, formatSummary, summarizeModel } from '../model/index.js';

export async function dryRun(config: ExperimentConfig, opts: { backend?: BackendName; log: (line: string) => void }): Promise<void> {
  const { log } = opts;
  const backend = await initBackend(opts.backend ?? config.runtime.backend);
  log(`experiment: ${config.name} (dry run, nothing is written)`);
  log(`backend:    ${backend.description}`);
  const dataset = await loadDataset(config.data, { seed: config.seed, log });
  log('preprocessing:');
  for (const [i, step] of dataset.preprocessor.describe().entries()) log(`  ${i + 1}. ${step}`);
  const { train, val } = splitImages(dataset.images, config.data.split, config.seed);
  const first = dataset.images[0];
  log(`images:     ${dataset.images.length}, ${first.width}x${first.height} after preprocessing, ${dataset.channels} channel(s)`);
  log(`split:      ${train.length} training, ${val.length} validation (${val.map((im) => im.id).join(', ')})`);
  const steps = Math.ceil(config.data.patches.per_epoch / config.train.batch);
  log(`training:   ${config.train.epochs} epochs x ${steps} steps of ${config.train.batch} patches of ${config.data.patches.size.join('x')}`);
  const model = buildModel(config.model, dataset.channels);
  try {
    log('');
    log(formatSummary(summarizeModel(model, config.data.patches.size, dataset.channels)));
  } finally {
    model.dispose();
  }
}
