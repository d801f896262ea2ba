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
