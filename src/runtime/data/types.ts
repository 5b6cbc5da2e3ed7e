// Image records shared by the loaders, the preprocessor and the sampler.
import type { DatasetConfig } from '../../spec/config.js';

/** A decoded image before preprocessing: intensities scaled to [0,1], HWC. */
export interface RawImage {
  readonly id: string;
  readonly sourcePath: string;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly pixels: Float32Array;
  /** 0/1 vessel label per pixel, or null when the dataset has none (e.g. DRIVE test) */
  readonly label: Uint8Array | null;
  /** 0/1 field of view per pixel */
  readonly fov: Uint8Array;
}

/**
 * One geometric step of the preprocessing pipeline, recorded so that a map
 * predicted in preprocessed geometry can be carried back to the original image.
 */
export type GeometryStep =
  | { readonly kind: 'crop'; readonly x: number; readonly y: number; readonly from: Size; readonly to: Size }
  | { readonly kind: 'resize'; readonly from: Size; readonly to: Size }
  | { readonly kind: 'pad'; readonly from: Size; readonly to: Size };

export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * The training target of a pixel that the loss leaves out: neither vessel
 * nor background (`patches { extra_ignore_edge N }` marks another dataset's
 * vessel edges so). Only the sampler's patches carry it; image labels are 0/1.
 */
export const UNSCORED = 2;

/** A preprocessed image, ready for patch sampling or inference. */
export interface FundusImage extends RawImage {
  readonly original: Size;
  /** the geometric steps applied, in order (empty = same geometry as the original) */
  readonly geometry: readonly GeometryStep[];
}

export interface Dataset {
  readonly kind: DatasetConfig['kind'];
  readonly root?: string;
  readonly channels: number;
  readonly images: FundusImage[];
}

/** A batch of training patches, NHWC, ready for `tf.tensor4d`. */
export interface Batch {
  readonly x: Float32Array;
  /** n*h*w*1: 0 background, 1 vessel, `UNSCORED` left out of the loss */
  readonly y: Float32Array;
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}
