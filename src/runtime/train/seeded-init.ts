// Deterministic weight initialisation. tfjs-layers initialisers draw their
// seeds from Math.random() when none is given (tfjs-core's random ops do
// `seed ?? Math.random()`), and the model builder gives none; so while the
// engine builds its model, Math.random is a PRNG seeded from the experiment.
// It is restored as soon as construction finishes. Builds take turns: two
// runs in one process (ensemble members side by side) would otherwise draw
// from each other's stream while one awaits its worker threads.
import { hashSeed, mulberry32 } from '../data/index.js';

let turn: Promise<unknown> = Promise.resolve();

export function withSeededRandom<T>(seed: number, build: () => Promise<T>): Promise<T> {
  const mine = turn.then(async () => {
    const original = Math.random;
    const rng = mulberry32(hashSeed(seed, 0x1d17));
    Math.random = rng.next;
    try {
      return await build();
    } finally {
      Math.random = original;
    }
  });
  turn = mine.catch(() => undefined);
  return mine;
}
