// Deterministic weight initialisation. tfjs-layers initialisers draw their
// seeds from Math.random() when none is given (tfjs-core's random ops do
// `seed ?? Math.random()`), and the model builder gives none; so while the
// engine builds its model, Math.random is a PRNG seeded from the experiment.
// It is restored as soon as construction finishes.
import { hashSeed, mulberry32 } from '../data/index.js';

export async function withSeededRandom<T>(seed: number, build: () => Promise<T>): Promise<T> {
  const original = Math.random;
  const rng = mulberry32(hashSeed(seed, 0x1d17));
  Math.random = rng.next;
  try {
    return await build();
  } finally {
    Math.random = original;
  }
}
