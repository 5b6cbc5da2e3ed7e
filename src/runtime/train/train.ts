// The entry point that trains what an experiment states: one network, or an
// ensemble of them (`train { ensemble N }`). `r2u train` and the generated
// modules both call it, so a variant config (`--set`, a sweep trial) gets the
// trainer its own `ensemble` asks for, not the one its base was compiled with.
import { ensembleSize, type ExperimentConfig } from '../../spec/config.js';
import { trainExperiment, type TrainOptions, type TrainResult } from './loop.js';
import { trainEnsemble, type EnsembleTrainResult } from './train-ensemble.js';

export type TrainOutcome = { readonly kind: 'network'; readonly result: TrainResult } | { readonly kind: 'ensemble'; readonly result: EnsembleTrainResult };

export async function train(config: ExperimentConfig, opts: TrainOptions = {}): Promise<TrainOutcome> {
  if (ensembleSize(config) > 1) return { kind: 'ensemble', result: await trainEnsemble(config, opts) };
  return { kind: 'network', result: await trainExperiment(config, opts) };
}
