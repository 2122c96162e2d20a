//! The one batch loop every stage runs in: items are worked on in parallel, results absorbed in
//! input order, so output never depends on the number of threads.

use rayon::prelude::*;

use crate::error::Result;

/// Maps `work` over `items` in parallel batches of `batch` and hands the results to `sink` in input
/// order, so output never depends on the number of threads. While one batch is worked on, the
/// previous one's results go to `sink` and, at the same time, the next batch is read, so both
/// cores stay busy; memory holds about three batches at a time.
pub fn for_each_batch<T, U>(
    mut items: impl Iterator<Item = Result<T>> + Send,
    batch: usize,
    work: impl Fn(T) -> U + Sync,
    mut sink: impl FnMut(U) -> Result<()> + Send,
) -> Result<()>
where
    T: Send,
    U: Send,
{
    let mut chunk: Vec<T> = items.by_ref().take(batch).collect::<Result<_>>()?;
    let mut finished: Vec<U> = Vec::new();
    while !chunk.is_empty() {
        let working = std::mem::take(&mut chunk);
        let (results, (sunk, next)) = rayon::join(
            || working.into_par_iter().map(&work).collect::<Vec<U>>(),
            || {
                rayon::join(
                    || finished.drain(..).try_for_each(&mut sink),
                    || items.by_ref().take(batch).collect::<Result<Vec<T>>>(),
                )
            },
        );
        sunk?;
        finished = results;
        chunk = next?;
    }
    finished.into_iter().try_for_each(sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results reach the sink in input order whatever the pool size and batch size.
    #[test]
    fn results_come_in_input_order_whatever_the_threads() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for batch in [1, 3, 64] {
                let mut seen = Vec::new();
                pool.install(|| {
                    for_each_batch(
                        (0..200u64).map(Ok),
                        batch,
                        |i| i * i,
                        |x| {
                            seen.push(x);
                            Ok(())
                        },
                    )
                })
                .unwrap();
                let want: Vec<u64> = (0..200u64).map(|i| i * i).collect();
                assert_eq!(seen, want, "{threads} threads, batches of {batch}");
            }
        }
    }
}
