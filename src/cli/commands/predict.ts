// `r2u predict <run-or-checkpoint-dir> <image…> --out DIR [--overlay]`:
// vessel probability maps and masks for fundus photographs, at their original size.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { BACKEND_HELP, parseBackend, UsageError } from '../flags.js';
import { reportRunFailure } from '../run-failure.js';

interface PredictFlags {
  out: string;
  overlay?: boolean;
  fov?: string;
  backend?: string;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('segment fundus images with a trained run or checkpoint: <stem>.png (probability), <stem>_mask.png')
    .argument('<checkpoint>', 'run folder (its best checkpoint) or checkpoint directory')
    .argument('<images...>', 'fundus photographs (PNG, JPEG, TIFF, GIF, PPM/PGM)')
    .requiredOption('--out <dir>', 'folder for the output maps')
    .option('--overlay', 'also write <stem>_overlay.png: the photograph with the vessels in green')
    .option('--fov <mask>', 'field-of-view mask for the images (default: estimated by thresholding)')
    .option('--backend <name>', BACKEND_HELP)
    .action(async (checkpoint: string, images: string[], flags: PredictFlags) => {
      process.exitCode = await predictCommand(checkpoint, images, flags);
    });
}

async function predictCommand(checkpoint: string, images: string[], flags: PredictFlags): Promise<number> {
  const backend = parseBackend(flags.backend);
  try {
    const { predictImages } = await import('../../runtime/eval/predict-images.js');
    await predictImages(checkpoint, images, {
      out: flags.out,
      overlay: flags.overlay === true,
      ...(flags.fov === undefined ? {} : { fov: flags.fov }),
      backend,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    return EXIT.ok;
  } catch (err) {
    return reportRunFailure(err, 'r2u predict');
  }
}
