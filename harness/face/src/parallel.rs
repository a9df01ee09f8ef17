//! Drawing and analysing the frames of a burst side by side on the machine's cores
//! ([`map_frames`]). Each frame is a pure function of its inputs, so the split changes no result.
//! A burst is most of a face check's work: spread over the cores it shortens each visit however
//! the drivers schedule visits (through pcscd the features run every step on one thread).

use std::num::NonZeroUsize;

/// `f` over `items` in order, the items split into one contiguous run per core (at most one run
/// per item). A panic in `f` (a bug) is passed on to the caller, not hidden.
pub fn map_frames<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let per_worker = items.len().div_ceil(workers);
    let f = &f;
    std::thread::scope(|scope| {
        let runs: Vec<_> = items
            .chunks(per_worker)
            .map(|run| scope.spawn(move || run.iter().map(f).collect::<Vec<R>>()))
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::map_frames;

    #[test]
    fn keeps_the_order_of_the_items() {
        for n in [0usize, 1, 2, 3, 5, 8, 17] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(
                map_frames(&items, |i| i * 10),
                (0..n).map(|i| i * 10).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    #[should_panic(expected = "frame 3")]
    fn a_panic_reaches_the_caller() {
        let items: Vec<usize> = (0..5).collect();
        let _ = map_frames(&items, |i| {
            if *i == 3 {
                panic!("frame 3");
            }
            *i
        });
    }
}
