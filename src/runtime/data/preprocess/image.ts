// The image a preprocessing step consumes and produces: pixels plus the label
// and FOV that geometric steps must transform in lockstep, and the geometry
// trail that lets predictions be mapped back to the original image.
import type { GeometryStep, RawImage } from '../types.js';

export type Working = Omit<RawImage, 'id' | 'sourcePath'> & { readonly geometry: readonly GeometryStep[] };

export interface Step {
  /** one line for `--dry-run`, with every parameter resolved */
  readonly description: string;
  apply(img: Working): Working;
}
