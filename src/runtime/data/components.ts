// Connected components of a binary mask, by breadth-first flood fill: the one
// routine behind mask post-processing (eval/postprocess.ts) and the FOV
// estimate (fov.ts). Pure code: the browser page shares it.

export const N4 = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
] as const;
export const N8 = [...N4, [-1, -1], [-1, 1], [1, -1], [1, 1]] as const;

/**
 * Calls `visit` with the pixel indices of each connected component of pixels
 * equal to `value`, and whether the component touches the image border.
 */
export function forEachComponent(
  mask: Uint8Array,
  width: number,
  height: number,
  value: 0 | 1,
  neighbours: readonly (readonly [number, number])[],
  visit: (pixels: Int32Array, size: number, touchesBorder: boolean) => void,
): void {
  const seen = new Uint8Array(mask.length);
  const queue = new Int32Array(mask.length);
  for (let start = 0; start < mask.length; start++) {
    if (seen[start] || (mask[start] !== 0 ? 1 : 0) !== value) continue;
    seen[start] = 1;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    let border = false;
    while (head < tail) {
      const p = queue[head++];
      const y = (p / width) | 0;
      const x = p - y * width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border = true;
      for (const [dy, dx] of neighbours) {
        const ny = y + dy;
        const nx = x + dx;
        if (ny < 0 || nx < 0 || ny >= height || nx >= width) continue;
        const q = ny * width + nx;
        if (seen[q] || (mask[q] !== 0 ? 1 : 0) !== value) continue;
        seen[q] = 1;
        queue[tail++] = q;
      }
    }
    visit(queue, tail, border);
  }
}
