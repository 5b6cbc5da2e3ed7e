// `r2u worker --queue redis://HOST:PORT [--concurrency N]`: takes sweep trials
// from the queue (`r2u sweep run … --queue`) and trains them, one child
// process each, until Ctrl-C or SIGTERM (the trials in progress finish first).
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { parseCount } from '../flags.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('train sweep trials taken from a BullMQ queue on Redis (run one per machine)')
    .requiredOption('--queue <url>', 'redis://HOST:PORT[/DB]')
    .option('--concurrency <n>', 'trials trained at once by this worker', '1')
    .option('--lock-seconds <s>', "a trial of a worker that died is taken over after about this long", '30')
    .action(async (opts: { queue: string; concurrency: string; lockSeconds: string }) => {
      const { runWorker } = await import('../trial-queue.js');
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const log = (line: string): void => void process.stdout.write(`${line}\n`);
      await runWorker(opts.queue, { concurrency: parseCount('--concurrency', opts.concurrency, 1), lockMs: parseCount('--lock-seconds', opts.lockSeconds, 1) * 1000, log }, abort.signal);
      process.exitCode = EXIT.ok;
    });
}
