import PrefixSupport

/// The sampling seed of each of a request's `n` choices, derived from the request's seed so that
/// a request with a `seed` gives the same choices every time, and choices differ from each other.
/// With several prompts, choice j of every prompt gets the seed of choice j (the seed does not
/// depend on the prompt), so each prompt's choices are those of a request with that prompt alone.
///
/// Choice 0 uses the request's seed itself (so `n: 1` and the first choice of `n: 3` agree);
/// choice i ≥ 1 uses the first SplitMix64 output (``SeededGenerator``) of
/// `seed XOR (i · 0xD6E8FEB86659FD93)`. Not `seed + i`: the sampler's generator steps its state
/// by a constant per draw, so nearby seeds would give choices whose random draws are shifted
/// copies of each other, and a request with seed s + 1 would repeat choice 1 of seed s.
enum ChoiceSeeds {
    /// The seed of choice `index` of a request whose seed is `seed`.
    static func seed(forChoice index: Int, requestSeed seed: UInt64) -> UInt64 {
        guard index > 0 else { return seed }
        var generator = SeededGenerator(seed: seed ^ (UInt64(index) &* 0xD6E8_FEB8_6659_FD93))
        return generator.next()
    }
}
