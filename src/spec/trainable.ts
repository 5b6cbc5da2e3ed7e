// Whether an experiment can train on its images: its patches fit in every
// image, every image has a vessel label, and the split leaves images to
// validate on. The compiler asks it with the image size the spec implies,
// training and the dry run with the loaded images. The problems come back as
// data, so that each side words them its own way: diagnostics at the statement
// in the compiler, a data error (exit 3) in the runtime.
import type { Dims } from './config.js';

/** An image as the check sees it: its size after preprocessing, and its label (null when it has none). */
export interface ImageShape {
  readonly id: string;
  readonly height: number;
  readonly width: number;
  readonly label: unknown;
}

export type TrainabilityProblem<T extends ImageShape> =
  | { readonly kind: 'no_label'; readonly image: T }
  | { readonly kind: 'patch_too_large'; readonly image: T }
  | { readonly kind: 'no_validation' };

/** Whether a patch fits in an image of `size` (both height x width). */
export const patchFits = (patch: Dims, size: Dims): boolean => patch[0] <= size[0] && patch[1] <= size[1];

/** Every problem, in the order training meets them: image by image (label, then size), training images first; then the split. */
export function trainabilityProblems<T extends ImageShape>(patch: Dims, split: { readonly train: readonly T[]; readonly val: readonly T[] }): TrainabilityProblem<T>[] {
  const problems: TrainabilityProblem<T>[] = [];
  for (const image of [...split.train, ...split.val]) {
    if (image.label === null) problems.push({ kind: 'no_label', image });
    if (!patchFits(patch, [image.height, image.width])) problems.push({ kind: 'patch_too_large', image });
  }
  if (split.val.length === 0) problems.push({ kind: 'no_validation' });
  return problems;
}
