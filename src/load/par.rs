//! Data parallelism where it pays: rayon natively, plain iteration in wasm32 (single-threaded).

/// Maps `f` over `items`, in parallel natively; results in input order.
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        items.into_par_iter().map(f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        items.into_iter().map(f).collect()
    }
}

/// Runs `a` and `b`, in parallel natively.
pub(crate) fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        rayon::join(a, b)
    }
    #[cfg(target_arch = "wasm32")]
    {
        (a(), b())
    }
}

/// Maps `f` over `items` with scratch state made by `init` once per worker (natively the items
/// are cut into one contiguous run per thread, each run with its own state); results in input
/// order.
pub(crate) fn map_init<T: Send, S, R: Send>(
    items: Vec<T>,
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, T) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        let runs = rayon::current_num_threads().max(1);
        let per_run = items.len().div_ceil(runs).max(1);
        let mut chunks: Vec<Vec<T>> = Vec::with_capacity(runs);
        let mut items = items.into_iter();
        loop {
            let run: Vec<T> = items.by_ref().take(per_run).collect();
            if run.is_empty() {
                break;
            }
            chunks.push(run);
        }
        let done: Vec<Vec<R>> = chunks
            .into_par_iter()
            .map(|run| {
                let mut state = init();
                run.into_iter().map(|t| f(&mut state, t)).collect()
            })
            .collect();
        done.into_iter().flatten().collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let mut state = init();
        items.into_iter().map(|t| f(&mut state, t)).collect()
    }
}

/// Rows per call of a long loop cut by [`chunks`].
pub(crate) const CHUNK: usize = 16 * 1024;

/// Calls `f` on `0..n` cut into ranges of [`CHUNK`] rows, in order; stops at the first error.
///
/// Why: V8 runs a wasm function first as baseline (Liftoff) code, compiles it with its
/// optimising tier once it is hot, and switches to that code only on the next call — it has no
/// on-stack replacement for wasm. A loop over a million rows in one call therefore runs to its
/// end in baseline code (slower) although the optimised code was ready after a few thousand
/// rows. `f` is called through `dyn` from this non-inlined function, so it stays a function of its
/// own in the wasm (neither LLVM nor wasm-opt inline it here) and its later calls run the optimised
/// code. Natively this costs one indirect call per chunk.
#[inline(never)]
pub(crate) fn chunks<E>(n: usize, f: &mut dyn FnMut(std::ops::Range<usize>) -> Result<(), E>) -> Result<(), E> {
    let mut start = 0;
    while start < n {
        let end = n.min(start + CHUNK);
        f(start..end)?;
        start = end;
    }
    Ok(())
}

/// [`chunks`] for a loop that cannot fail.
pub(crate) fn each_chunk(n: usize, f: &mut dyn FnMut(std::ops::Range<usize>)) {
    let _ = chunks::<std::convert::Infallible>(n, &mut |r| {
        f(r);
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_in_order_and_stop_at_an_error() {
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let mut seen = Vec::new();
            each_chunk(n, &mut |r| seen.extend(r));
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
        let mut calls = 0;
        let r = chunks(3 * CHUNK, &mut |r| {
            calls += 1;
            if r.start >= CHUNK { Err(r.start) } else { Ok(()) }
        });
        assert_eq!((r, calls), (Err(CHUNK), 2));
    }
}
