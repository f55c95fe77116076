/**
 * A seeded pseudo-random source: mulberry32 (Tommy Ettinger's 32-bit generator). Not for secrets;
 * it only has to be small, fast and the same on every machine, so a seed always gives the same plan.
 * Returns numbers in [0, 1) with 32 bits of randomness.
 */
export function seededRandom(seed: number): () => number {
  // Any integer seed (negative or beyond 32 bits too) folds to a 32-bit state.
  let state = Number(BigInt.asUintN(32, BigInt(Math.trunc(seed))));
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Fisher–Yates shuffle in place. floor(random() * n) is biased by at most n / 2^32, which is
 * nothing for the few million items a programme has.
 */
export function shuffleInPlace(items: Int32Array | number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const item = items[i]!;
    items[i] = items[j]!;
    items[j] = item;
  }
}
