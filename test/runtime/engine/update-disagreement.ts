// How far two training runs from the same weights ended apart, for the engine and backend comparisons.

/** |a - b| / |a - origin| over all weights: how far two updates from `origin` disagree */
export function updateDisagreement(a: Float32Array[], b: Float32Array[], origin: Float32Array[]): number {
  let num = 0;
  let den = 0;
  a.forEach((arr, i) => {
    for (let j = 0; j < arr.length; j++) {
      num += (arr[j] - b[i][j]) ** 2;
      den += (arr[j] - origin[i][j]) ** 2;
    }
  });
  return Math.sqrt(num / Math.max(den, 1e-30));
}
