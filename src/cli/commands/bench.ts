// `r2u bench <spec> [--steps N] [--workers N] [--backend B] [--json]`: times
// training steps and a full-image inference of the spec's model on random
// data of the spec's shapes.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { BACKEND_HELP, collect, parseCount, specSets } from '../flags.js';
import { printDiagnostics } from '../print-diagnostics.js';

interface BenchFlags {
  set: string[];
  steps: string;
  warmup: string;
  workers?: string;
  backend?: string;
  json?: boolean;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description("time training steps and full-image inference of a spec's model on random data")
    .argument('<spec>', 'experiment spec (.r2u)')
    .option('--set <path=value>', 'override a setting (repeatable), e.g. train.batch=16', collect, [])
    .option('--steps <n>', 'timed training steps', '10')
    .option('--warmup <n>', 'untimed warm-up steps', '2')
    .option('--workers <n>', 'data-parallel workers (0 = one per core; default: the spec)')
    .option('--backend <name>', `${BACKEND_HELP} (default: the spec)`)
    .option('--json', 'print one JSON object instead of text')
    .action(async (spec: string, flags: BenchFlags) => {
      process.exitCode = await benchCommand(spec, flags);
    });
}

async function benchCommand(spec: string, flags: BenchFlags): Promise<number> {
  const steps = parseCount('--steps', flags.steps, 1);
  const warmup = parseCount('--warmup', flags.warmup, 0);
  const { loadExperiment } = await import('../../compiler/index.js');
  const loaded = await loadExperiment(spec, { sets: specSets(flags) });
  printDiagnostics(loaded.diagnostics);
  if (loaded.config === undefined) return EXIT.invalid;
  const config = loaded.config;

  // the runtime (TensorFlow.js, wasm) loads only now
  const { runBench, formatBench } = await import('../../runtime/bench.js');
  const { BackendError } = await import('../../runtime/backend.js');
  try {
    const result = await runBench(config, {
      steps,
      warmup,
      workers: config.runtime.workers,
      backend: config.runtime.backend,
      log: flags.json ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${formatBench(result)}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof BackendError) {
      process.stderr.write(`r2u bench: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`r2u bench: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.runtime;
  }
}
