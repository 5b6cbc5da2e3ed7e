// Training started from a command line — `r2u train` and the generated
// modules share it: Ctrl-C stops after the current step (finished epochs stay
// checkpointed; a second Ctrl-C quits at once), the outcome is one line, and a
// failure of the run itself (data, backend, run folder, numerics) is a message
// and an exit code, never a stack trace.
import type { ExperimentConfig } from '../spec/config.js';
import { modelEpoch } from '../spec/run-files.js';
import type { TrainOptions } from '../runtime/train/loop.js';
import { train } from '../runtime/train/train.js';
import { EXIT } from './exit-codes.js';
import { reportRunFailure } from './run-failure.js';

/**
 * Trains `config` until done, early-stopped or interrupted; resolves to the
 * process exit code. `prefix` starts the line of a failure: the command's name, or 'error'.
 */
export async function launchTraining(config: ExperimentConfig, opts: Omit<TrainOptions, 'signal'>, prefix: string): Promise<number> {
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write('\ninterrupt: stopping after the current step (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const outcome = await train(config, { ...opts, signal: abort.signal });
    if (outcome.kind === 'ensemble') {
      const result = outcome.result;
      const seeds = result.members.map((m) => m.seed).join(', ');
      if (result.validation === null) process.stdout.write(`stopped: the ensemble's members so far (seeds ${seeds}) are in ${result.runDir}; --resume ${result.runDir} goes on\n`);
      else {
        const { val_dice: dice, val_auc: auc } = result.validation;
        process.stdout.write(`done: an ensemble of ${result.members.length} (seeds ${seeds}), validation dice ${dice.toFixed(4)}, auc ${auc.toFixed(4)}; run folder ${result.runDir}\n`);
      }
      return result.stopped === 'aborted' ? EXIT.interrupted : EXIT.ok;
    }
    const result = outcome.result;
    const best = result.best === null ? 'no finished epoch' : `best ${result.best.monitor} ${result.best.value.toFixed(4)} at epoch ${result.best.epoch}`;
    // the model eval and predict take is the best epoch's unless the spec keeps the last
    const last = result.history.at(-1)?.epoch;
    const kept = modelEpoch(config) === 'last' && last !== undefined ? `; the model is the last epoch, ${last} (${config.train.early_stop ? 'keep_last' : 'no early stopping'})` : '';
    process.stdout.write(`done (${result.stopped.replace('_', ' ')}): ${best}${kept}; run folder ${result.runDir}\n`);
    return result.stopped === 'aborted' ? EXIT.interrupted : EXIT.ok;
  } catch (err) {
    return reportRunFailure(err, prefix);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
