// The `r2u` command line. Each subcommand lives in its own file under
// commands/ and loads heavy modules (the runtime, ts-morph) only when it runs,
// so that `check`, `fmt` and `diff` start as fast as Node itself.
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';
import { registerCheck } from './commands/check.js';
import { registerDiff } from './commands/diff.js';
import { registerFmt } from './commands/fmt.js';
import { registerSchema } from './commands/schema.js';
import { UsageError } from './flags.js';
import { registerData } from './commands/data.js';
import { registerCompile } from './commands/compile.js';
import { registerTrain } from './commands/train.js';
import { registerEval } from './commands/eval.js';
import { registerPredict } from './commands/predict.js';
import { registerEnsemble } from './commands/ensemble.js';
import { registerBench } from './commands/bench.js';
import { registerLsp } from './commands/lsp.js';
import { registerSweep } from './commands/sweep.js';
import { registerCompare } from './commands/compare.js';
import { registerWorker } from './commands/worker.js';
import { registerWeb } from './commands/web.js';

// `r2u … | head`: the reader left; what is left to print has no one to read it
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

const program = new Command('r2u')
  .description('Compile and run declarative R2U-Net retinal vessel segmentation experiments')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride();

const registrations: Array<(program: Command) => void> = [
  registerCheck,
  registerFmt,
  registerDiff,
  registerSchema,
  registerData,
  registerCompile,
  registerTrain,
  registerEval,
  registerPredict,
  registerEnsemble,
  registerBench,
  registerLsp,
  registerSweep,
  registerCompare,
  registerWorker,
  registerWeb,
];
for (const register of registrations) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err: unknown) {
  const e = err as { code?: string; exitCode?: number };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
    const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
    process.exit(ok ? EXIT.ok : EXIT.usage);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`r2u: ${err.message}\n`);
    process.exit(EXIT.usage);
  }
  throw err;
}
