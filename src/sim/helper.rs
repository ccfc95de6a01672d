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

// Its own cache lines (128 bytes: two lines, for the adjacent-line prefetcher): the
// helper polls `state` all the time, and a hot variable of the owner on the same
// line would bounce between the cores at every access.
#[repr(align(128))]
struct Slot {
    state: AtomicU8,
    /// The offered job: written only while `state` is EMPTY (by the owner), read
    /// only by whoever moved it from OFFERED to CLAIMED.
    job: UnsafeCell<Option<Job>>,
    /// The helper's job panicked.
    panicked: AtomicBool,
    quit: AtomicBool,
    /// The owner runs both halves for a while: the helper sleeps instead of
    /// spinning (on a hyperthread of the owner's core a spin takes its issue slots).
    paused: AtomicBool,
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
                if s.paused.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_micros(20));
                    continue;
                }
                // a load first: a compare-exchange takes the line for writing even
                // when it fails, and the owner's next offer would wait for it
                if s.state.load(Ordering::Relaxed) == OFFERED
                    && s.state
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

impl Helper<'_> {
    /// Ends the helper thread (a [`Helper::join`] after it runs both halves here).
    pub fn stop(&self) {
        self.slot.quit.store(true, Ordering::Release);
    }

    /// Lets the helper sleep (`true`) while the owner steps without it, or spin
    /// again (`false`); a [`Helper::join`] in between is still right (its `b`
    /// runs wherever it is claimed).
    pub fn pause(&self, paused: bool) {
        self.slot.paused.store(paused, Ordering::Relaxed);
    }
}

/// Steps per block of a [`Trial`].
pub const TRIAL_BLOCK: u32 = 32;

/// Whether the helper pays, measured on the run itself: two blocks of steps with
/// it and two without, alternating, and the faster way (by each way's quicker
/// block) kept for the rest of the run. The helper sleeps through the blocks
/// without it ([`Helper::pause`]), so they are timed as a run without a helper
/// would go. Where the two virtual cores are the two
/// hyperthreads of one physical core, a spinning helper takes the owner's issue
/// slots; runs with the helper were seen at 2.5 times the step time of good ones
/// (ex_ksa4bit 122 against 46 µs). The results are the same bit for bit either
/// way.
#[derive(Debug, Default)]
pub struct Trial {
    /// The quickest block with the helper and without it (seconds per step).
    best: [Option<f64>; 2],
    block: u32,
    steps: u32,
    started: Option<std::time::Instant>,
}

impl Trial {
    /// Whether the next step takes the helper.
    pub fn use_helper(&self) -> bool {
        self.block % 2 == 0
    }

    /// After a step of the trial: `Some(keep the helper)` once decided.
    pub fn stepped(&mut self) -> Option<bool> {
        let started = *self.started.get_or_insert_with(std::time::Instant::now);
        self.steps += 1;
        if self.steps < TRIAL_BLOCK {
            return None;
        }
        let per_step = started.elapsed().as_secs_f64() / f64::from(self.steps);
        let way = (self.block % 2) as usize;
        self.best[way] = Some(self.best[way].map_or(per_step, |b| b.min(per_step)));
        self.block += 1;
        self.steps = 0;
        self.started = None;
        if self.block < 4 {
            return None;
        }
        Some(self.best[0].unwrap_or(0.0) <= self.best[1].unwrap_or(f64::INFINITY))
    }
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
            paused: AtomicBool::new(false),
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
    fn paused_or_not_both_halves_run_once() {
        let slot = HelperSlot::default();
        std::thread::scope(|sc| {
            let helper = Helper::new(sc, &slot);
            let (mut a, mut b) = (0u64, 0u64);
            for round in 0..600u64 {
                helper.pause(round % 200 >= 100);
                helper.join(|| a += round, || b += 2 * round);
            }
            let sum: u64 = (0..600).sum();
            assert_eq!((a, b), (sum, 2 * sum));
        });
    }

    #[test]
    fn after_stop_the_owner_runs_both_halves() {
        let slot = HelperSlot::default();
        std::thread::scope(|sc| {
            let helper = Helper::new(sc, &slot);
            helper.stop();
            let (mut a, mut b) = (0, 0);
            for _ in 0..100 {
                helper.join(|| a += 1, || b += 1);
            }
            assert_eq!((a, b), (100, 100));
        });
    }

    #[test]
    fn a_trial_alternates_and_decides_after_four_blocks() {
        let mut t = Trial::default();
        let mut ways = Vec::new();
        let decided = loop {
            ways.push(t.use_helper());
            // the steps without the helper are slower here
            if !t.use_helper() {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            if let Some(keep) = t.stepped() {
                break keep;
            }
        };
        assert_eq!(ways.len(), 4 * TRIAL_BLOCK as usize);
        let block = TRIAL_BLOCK as usize;
        for (k, w) in ways.chunks(block).enumerate() {
            assert!(w.iter().all(|&x| x == (k % 2 == 0)), "block {k}");
        }
        assert!(decided, "the faster way (with the helper) is kept");
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
