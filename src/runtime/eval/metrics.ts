// Segmentation metrics inside the field of view (FOV).
//
// A pixel is predicted positive when its probability is >= the threshold.
// Ratios whose denominator is zero (e.g. sensitivity of an image without
// vessels) are NaN rather than a made-up 0 or 1, so means skip them.

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Scores {
  accuracy: number;
  sensitivity: number;
  specificity: number;
  precision: number;
  dice: number;
}

export interface FullScores extends Scores {
  auc: number;
}

/** Confusion counts of `prob >= threshold` against `label`, over pixels where `fov` is 1 (all when null). */
export function confusion(prob: ArrayLike<number>, label: ArrayLike<number>, fov: ArrayLike<number> | null, threshold: number): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < prob.length; i++) {
    if (fov !== null && fov[i] === 0) continue;
    const p = prob[i] >= threshold;
    if (label[i] !== 0) {
      if (p) tp++;
      else fn++;
    } else if (p) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

export function addConfusion(a: Confusion, b: Confusion): Confusion {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, tn: a.tn + b.tn, fn: a.fn + b.fn };
}

const ratio = (num: number, den: number): number => (den === 0 ? Number.NaN : num / den);

export function scores(c: Confusion): Scores {
  return {
    accuracy: ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
    sensitivity: ratio(c.tp, c.tp + c.fn),
    specificity: ratio(c.tn, c.tn + c.fp),
    precision: ratio(c.tp, c.tp + c.fp),
    dice: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
  };
}

/**
 * FOV-masked scores split by class, each sorted ascending. Sorting the two
 * classes separately (native Float32Array sort) lets AUC and the threshold
 * search walk both lists in one merge, with exact tie handling.
 */
export interface RankedScores {
  pos: Float32Array;
  neg: Float32Array;
}

export function rankScores(prob: ArrayLike<number>, label: ArrayLike<number>, fov: ArrayLike<number> | null): RankedScores {
  let nPos = 0;
  let nNeg = 0;
  for (let i = 0; i < prob.length; i++) {
    if (fov !== null && fov[i] === 0) continue;
    if (label[i] !== 0) nPos++;
    else nNeg++;
  }
  const pos = new Float32Array(nPos);
  const neg = new Float32Array(nNeg);
  let p = 0;
  let n = 0;
  for (let i = 0; i < prob.length; i++) {
    if (fov !== null && fov[i] === 0) continue;
    if (label[i] !== 0) pos[p++] = prob[i];
    else neg[n++] = prob[i];
  }
  pos.sort();
  neg.sort();
  // typed-array sort puts NaN last; a NaN score would make every metric meaningless
  if (Number.isNaN(pos[nPos - 1]) || Number.isNaN(neg[nNeg - 1])) throw new Error('probability map contains NaN');
  return { pos, neg };
}

/** Concatenates ranked scores of several images (pooled statistics). */
export function mergeRanked(parts: readonly RankedScores[]): RankedScores {
  const join = (arrays: Float32Array[]): Float32Array => {
    const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      out.set(a, o);
      o += a.length;
    }
    return out.sort();
  };
  return { pos: join(parts.map((r) => r.pos)), neg: join(parts.map((r) => r.neg)) };
}

/**
 * Exact area under the ROC curve: the Mann-Whitney statistic
 * P(score_pos > score_neg) + P(score_pos = score_neg) / 2, which equals the
 * trapezoid area of the ROC curve through every distinct threshold.
 */
export function aucFromRanked({ pos, neg }: RankedScores): number {
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  let wins = 0;
  let j = 0; // negatives strictly below the current value
  let i = 0;
  while (i < pos.length) {
    const v = pos[i];
    let p = 0;
    while (i < pos.length && pos[i] === v) {
      p++;
      i++;
    }
    while (j < neg.length && neg[j] < v) j++;
    let ties = 0;
    while (j + ties < neg.length && neg[j + ties] === v) ties++;
    wins += p * (j + ties / 2);
  }
  return wins / (pos.length * neg.length);
}

export function auc(prob: ArrayLike<number>, label: ArrayLike<number>, fov: ArrayLike<number> | null): number {
  return aucFromRanked(rankScores(prob, label, fov));
}

/**
 * The threshold maximising F1 (= Dice) over every distinct score: predicting
 * positive for `score >= t`. Walks the scores from the top, so each candidate
 * costs O(1). Returns threshold 0.5 and F1 NaN without positives.
 */
export function bestF1Threshold({ pos, neg }: RankedScores): { threshold: number; f1: number } {
  if (pos.length === 0) return { threshold: 0.5, f1: Number.NaN };
  let best = { threshold: pos[pos.length - 1], f1: -1 };
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  while (i >= 0 || j >= 0) {
    const v = Math.max(i >= 0 ? pos[i] : -Infinity, j >= 0 ? neg[j] : -Infinity);
    while (i >= 0 && pos[i] === v) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === v) {
      fp++;
      j--;
    }
    const f1 = (2 * tp) / (tp + fp + pos.length);
    if (f1 > best.f1) best = { threshold: v, f1 };
  }
  return best;
}

/** All scores of one image at a threshold, AUC included. */
export function fullScores(prob: ArrayLike<number>, label: ArrayLike<number>, fov: ArrayLike<number> | null, threshold: number): FullScores {
  return { ...scores(confusion(prob, label, fov, threshold)), auc: auc(prob, label, fov) };
}

/** Mean of each score over images, skipping NaN (undefined) values. */
export function meanScores<T extends object>(rows: readonly T[]): T {
  const out: Record<string, number> = {};
  if (rows.length === 0) return out as T;
  for (const key of Object.keys(rows[0])) {
    const vals = rows.map((r) => (r as Record<string, number>)[key]).filter((v) => typeof v === 'number' && !Number.isNaN(v));
    out[key] = vals.length === 0 ? Number.NaN : vals.reduce((s, v) => s + v, 0) / vals.length;
  }
  return out as T;
}
