// The runtime's side of the trainability check: training and the dry run stop
// at the first problem with the same data error, so a dry run that passes
// means training gets past its data checks.
import { trainabilityProblems, type TrainabilityProblem } from '../../spec/trainable.js';
import type { ExperimentConfig } from '../../spec/config.js';
import { DataError, type FundusImage } from '../data/index.js';

export function assertTrainable(config: ExperimentConfig, split: { readonly train: readonly FundusImage[]; readonly val: readonly FundusImage[] }): void {
  const [first] = trainabilityProblems(config.data.patches.size, split);
  if (first !== undefined) throw dataError(first, config.data.patches.size);
}

function dataError(problem: TrainabilityProblem<FundusImage>, [ph, pw]: readonly [number, number]): DataError {
  switch (problem.kind) {
    case 'no_label':
      return new DataError(`image ${problem.image.id} has no vessel label; training and validation need labels`, problem.image.sourcePath);
    case 'patch_too_large': {
      const { id, height, width, sourcePath } = problem.image;
      return new DataError(`patches of ${ph}x${pw} do not fit in image ${id} (${height}x${width} after preprocessing)`, sourcePath);
    }
    case 'no_validation':
      return new DataError('the split leaves no validation image');
  }
}
