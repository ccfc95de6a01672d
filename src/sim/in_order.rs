//! Work items of one judgement (the patterns of a sweep point) run where a core is
//! free, their results handed over in order.
//!
//! Inside a parallel sweep (a rayon worker) the items run as a chain of
//! `rayon::join`s: the worker runs the first item and offers the rest, so a worker
//! left without work of its own (the end of a sweep, where one margin search is
//! still going) takes the later items while the owner runs the first; on a busy
//! pool the owner runs them one after the other. Outside a pool they run in order
//! on the calling thread. Results reach the receiver in item order either way, and
//! once it refuses one, nothing more is handed over and the items not yet started
//! are skipped (those running can poll [`InOrder::refused`] and stop), so what the
//! receiver sees does not depend on the scheduling.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// What receives the results, in order, until it returns false.
pub type Receiver<'e, T> = dyn FnMut(usize, T) -> bool + Send + 'e;

struct Ready<'a, 'e, T> {
    next: usize,
    ready: Vec<Option<T>>,
    each: &'a mut Receiver<'e, T>,
}

/// Hands results over in order as they arrive.
pub struct InOrder<'a, 'e, T> {
    state: Mutex<Ready<'a, 'e, T>>,
    refused: AtomicBool,
}

impl<'a, 'e, T: Send> InOrder<'a, 'e, T> {
    /// For results 0..count.
    pub fn new(count: usize, each: &'a mut Receiver<'e, T>) -> Self {
        InOrder {
            state: Mutex::new(Ready {
                next: 0,
                ready: (0..count).map(|_| None).collect(),
                each,
            }),
            refused: AtomicBool::new(false),
        }
    }

    /// Whether the receiver refused a result (nothing more is handed over).
    pub fn refused(&self) -> bool {
        self.refused.load(Ordering::Relaxed)
    }

    /// Takes in result `k` and hands over every result now due.
    pub fn hand_over(&self, k: usize, result: T) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = st.ready.get_mut(k) {
            *slot = Some(result);
        }
        while !self.refused() {
            let next = st.next;
            let Some(r) = st.ready.get_mut(next).and_then(Option::take) else {
                break;
            };
            st.next += 1;
            if !(st.each)(next, r) {
                self.refused.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// Runs `go` on every item: in a rayon worker the first here and the others
/// offered to idle workers; elsewhere one after the other, in order.
pub fn run_offered<I: Send>(items: Vec<I>, go: &(dyn Fn(I) + Sync)) {
    if rayon::current_thread_index().is_none() {
        items.into_iter().for_each(go);
        return;
    }
    chain(items, go);
}

fn chain<I: Send>(mut items: Vec<I>, go: &(dyn Fn(I) + Sync)) {
    if items.is_empty() {
        return;
    }
    let first = items.remove(0);
    if items.is_empty() {
        return go(first);
    }
    rayon::join(|| go(first), || chain(items, go));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_order_until_refused() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let mut seen = Vec::new();
            let mut each = |k: usize, v: usize| {
                seen.push((k, v));
                k < 3
            };
            pool.install(|| {
                let order = InOrder::new(8, &mut each);
                run_offered((0..8).collect(), &|k: usize| {
                    if !order.refused() {
                        // later items finish first when run in parallel
                        std::thread::sleep(std::time::Duration::from_millis(8 - k as u64));
                        order.hand_over(k, 10 * k);
                    }
                });
            });
            assert_eq!(
                seen,
                vec![(0, 0), (1, 10), (2, 20), (3, 30)],
                "{threads} threads"
            );
        }
    }

    #[test]
    fn outside_a_pool_items_run_in_order_on_this_thread() {
        let me = std::thread::current().id();
        let ran = Mutex::new(Vec::new());
        run_offered(vec![0, 1, 2], &|k| {
            assert_eq!(std::thread::current().id(), me);
            ran.lock().unwrap().push(k);
        });
        assert_eq!(*ran.lock().unwrap(), vec![0, 1, 2]);
    }
}
