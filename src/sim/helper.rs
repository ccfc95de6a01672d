//! A second thread for one simulation's time steps.
//!
//! A large circuit's step has a few pieces that split into two independent halves
//! (the substitutions of a factorisation that falls apart into blocks, the
//! junctions' phase updates), each taking tens of microseconds: too short for a
//! thread pool whose idle threads go to sleep (waking one costs more than the
//! half it would run), long enough for a helper thread that spins between halves.
//!
//! [`Helper::join`] runs `a` here and offers `b` to the helper. Whoever claims `b`
//! first runs it: if the helper is not running (the machine is busy), this thread
//! runs both, so a loaded machine costs a little time, never a stall.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::thread::{Scope, ScopedJoinHandle};

/// No job, a job offered, a job claimed, a job done.
const EMPTY: u8 = 0;
const OFFERED: u8 = 1;
const CLAIMED: u8 = 2;
const DONE: u8 = 3;

type Job = *mut (dyn FnMut() + Send);

struct Slot {
    state: AtomicU8,
    /// The offered job: written only while `state` is EMPTY (by the owner), read
    /// only by whoever moved it from OFFERED to CLAIMED.
    job: UnsafeCell<Option<Job>>,
    /// The helper's job panicked.
    panicked: AtomicBool,
    quit: AtomicBool,
}

// SAFETY: `job` is handed over through `state` (release/acquire), so only one
// thread touches it at a time; the job itself is `Send`.
unsafe impl Sync for Slot {}
unsafe impl Send for Slot {}

/// The helper thread of one simulation (see the module documentation).
pub struct Helper<'scope> {
    slot: &'scope Slot,
    helper: Option<ScopedJoinHandle<'scope, ()>>,
}

/// Spins before the helper starts yielding its core between jobs.
const SPINS_BEFORE_YIELD: u32 = 1 << 16;

impl<'scope> Helper<'scope> {
    /// Starts the helper on `scope`; `slot` must live as long as the scope.
    pub fn new<'env>(scope: &'scope Scope<'scope, 'env>, slot: &'scope HelperSlot) -> Self {
        let s = &slot.0;
        let helper = scope.spawn(move || {
            let mut idle = 0u32;
            while !s.quit.load(Ordering::Acquire) {
                if s.state
                    .compare_exchange(OFFERED, CLAIMED, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    // SAFETY: the owner wrote the job before OFFERED (release) and
                    // waits for DONE before the job's borrow ends.
                    let job = unsafe { (*s.job.get()).take() };
                    if let Some(job) = job {
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            // SAFETY: as above; only this thread calls it.
                            unsafe { (*job)() }
                        }));
                        if r.is_err() {
                            s.panicked.store(true, Ordering::Release);
                        }
                    }
                    s.state.store(DONE, Ordering::Release);
                    idle = 0;
                } else if idle < SPINS_BEFORE_YIELD {
                    idle += 1;
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        });
        Helper {
            slot: s,
            helper: Some(helper),
        }
    }

    /// Runs `a` on this thread and `b` on the helper (or here, if the helper has
    /// not claimed it by the time `a` is done); returns when both are done.
    pub fn join(&self, a: impl FnOnce(), mut b: impl FnMut() + Send) {
        let s = self.slot;
        let job: &mut (dyn FnMut() + Send) = &mut b;
        // SAFETY: the lifetime is erased only for the handover; this function does
        // not return (nor unwind) before the job has run to its end.
        let job: Job = unsafe { std::mem::transmute::<&mut (dyn FnMut() + Send), Job>(job) };
        unsafe { *s.job.get() = Some(job) };
        s.state.store(OFFERED, Ordering::Release);
        // wait for b whatever happens to a
        struct Wait<'a>(&'a Slot);
        impl Drop for Wait<'_> {
            fn drop(&mut self) {
                reclaim(self.0);
            }
        }
        let wait = Wait(s);
        a();
        std::mem::forget(wait);
        if reclaim(s) {
            b();
        } else if s.panicked.swap(false, Ordering::AcqRel) {
            panic!("the simulation's helper thread panicked");
        }
    }
}

/// Takes an offered job back (true: it did not run; the slot is empty again), or
/// waits until the helper has run it (false).
fn reclaim(s: &Slot) -> bool {
    if s.state
        .compare_exchange(OFFERED, EMPTY, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
    {
        // SAFETY: nobody else reads the slot while it is EMPTY.
        unsafe { (*s.job.get()).take() };
        return true;
    }
    while s.state.load(Ordering::Acquire) != DONE {
        std::hint::spin_loop();
    }
    s.state.store(EMPTY, Ordering::Release);
    false
}

impl Drop for Helper<'_> {
    fn drop(&mut self) {
        self.slot.quit.store(true, Ordering::Release);
        if let Some(h) = self.helper.take() {
            let _ = h.join();
        }
    }
}

/// The storage a [`Helper`] hands jobs over in (made before the thread scope).
pub struct HelperSlot(Slot);

impl Default for HelperSlot {
    fn default() -> Self {
        HelperSlot(Slot {
            state: AtomicU8::new(EMPTY),
            job: UnsafeCell::new(None),
            panicked: AtomicBool::new(false),
            quit: AtomicBool::new(false),
        })
    }
}

/// Runs `a` and `b` one after the other here, or split over a [`Helper`].
pub fn join(helper: Option<&Helper<'_>>, a: impl FnOnce(), b: impl FnMut() + Send) {
    match helper {
        Some(p) => p.join(a, b),
        None => {
            let mut b = b;
            a();
            b();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_run_once_whoever_runs_them() {
        let slot = HelperSlot::default();
        std::thread::scope(|sc| {
            let helper = Helper::new(sc, &slot);
            let mut left = vec![0u64; 1000];
            let mut right = vec![0u64; 1000];
            for round in 0..2000u64 {
                helper.join(
                    || left.iter_mut().for_each(|v| *v += round),
                    || right.iter_mut().for_each(|v| *v += 2 * round),
                );
            }
            let sum: u64 = (0..2000).sum();
            assert!(left.iter().all(|&v| v == sum));
            assert!(right.iter().all(|&v| v == 2 * sum));
        });
    }

    #[test]
    fn a_panic_in_the_helper_reaches_the_owner() {
        let slot = HelperSlot::default();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            std::thread::scope(|sc| {
                let helper = Helper::new(sc, &slot);
                for _ in 0..100 {
                    helper.join(
                        || std::thread::sleep(std::time::Duration::from_millis(1)),
                        || panic!("boom"),
                    );
                }
            })
        }));
        assert!(r.is_err());
    }
}
