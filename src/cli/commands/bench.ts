// `r2u bench <spec> [--steps N] [--workers N] [--backend B] [--json]`: times
// training steps and a full-image inference of the spec's model on random
// data of the spec's shapes.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { collect, printDiagnostics, UsageError } from '../report.js';

interface BenchFlags {
  set: string[];
  steps: string;
  warmup: string;
  workers?: string;
  backend?: string;
  json?: boolean;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

function count(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, not '${value}'`);
  return n;
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
    .option('--backend <name>', `TensorFlow.js backend: ${BACKENDS.join(', ')} (default: the spec)`)
    .option('--json', 'print one JSON object instead of text')
    .action(async (spec: string, flags: BenchFlags) => {
      process.exitCode = await benchCommand(spec, flags);
    });
}

async function benchCommand(spec: string, flags: BenchFlags): Promise<number> {
  const steps = count('--steps', flags.steps, 1);
  const warmup = count('--warmup', flags.warmup, 0);
  const workers = flags.workers === undefined ? undefined : count('--workers', flags.workers, 0);
  if (flags.backend !== undefined && !(BACKENDS as readonly string[]).includes(flags.backend)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, not '${flags.backend}'`);
  }
  const { loadExperiment } = await import('../../compiler/index.js');
  const loaded = await loadExperiment(spec, { sets: flags.set });
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
      workers: workers ?? config.runtime.workers,
      backend: (flags.backend as (typeof BACKENDS)[number] | undefined) ?? config.runtime.backend,
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
