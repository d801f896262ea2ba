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
