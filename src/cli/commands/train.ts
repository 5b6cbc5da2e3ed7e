// `r2u train <spec> [--set k=v]... [--out DIR] [--resume RUN] [--backend B]
// [--workers N] [--dry-run]`: resolves the spec and runs it with the runtime's
// training loop. With --resume the spec may be omitted: the run's spec.json is
// used, and --set may lengthen the run (train.epochs) or change runtime settings.
import type { Command } from 'commander';
import { addTrainOptions, trainCommand, type TrainFlags } from '../train-command.js';

export function registerTrain(program: Command): void {
  addTrainOptions(
    program
      .command('train')
      .description('train an experiment: validation every epoch, checkpoints, curves and panels in a run folder')
      .argument('[spec]', 'experiment spec (.r2u); optional with --resume'),
  ).action(async (spec: string | undefined, flags: TrainFlags) => {
    process.exitCode = await trainCommand(spec === undefined ? { kind: 'run' } : { kind: 'spec', path: spec }, flags, 'r2u train');
  });
}
