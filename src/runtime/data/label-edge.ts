// The edge of a vessel label: the vessel pixels within N steps (4-connected)
// of background. `patches { extra_ignore_edge N }` leaves them out of the loss
// for extra_training's images, whose annotators draw the vessel edge in their
// own style, so those images teach where vessels run and the main dataset's
// where their edges lie.
import { UNSCORED } from './types.js';

/** A copy of a 0/1 label with its vessel pixels within `depth` steps of background set to UNSCORED. */
export function markVesselEdge(label: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  if (label.length !== width * height) throw new Error(`label has ${label.length} pixels, expected ${width}x${height}`);
  const out = Uint8Array.from(label);
  for (let step = 0; step < depth; step++) {
    // a pixel joins the edge when a 4-neighbour is background or joined in an earlier step
    const before = Uint8Array.from(out);
    const outside = (i: number): boolean => before[i] !== 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (before[i] !== 1) continue;
        if ((x > 0 && outside(i - 1)) || (x + 1 < width && outside(i + 1)) || (y > 0 && outside(i - width)) || (y + 1 < height && outside(i + width))) {
          out[i] = UNSCORED;
        }
      }
    }
  }
  return out;
}
