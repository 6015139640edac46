//! `max-run`: how many tasks the engine holds at once. A slot is reserved atomically *before*
//! each fetch, because a fetched task cannot be handed back (the Python engine's race, §10.8).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug)]
pub struct Capacity {
    limit: AtomicUsize,
    used: AtomicUsize,
}

/// A reserved slot; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot {
    capacity: Arc<Capacity>,
}

impl Capacity {
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit: AtomicUsize::new(limit.max(1)),
            used: AtomicUsize::new(0),
        })
    }

    pub fn try_reserve(self: &Arc<Self>) -> Option<Slot> {
        let limit = self.limit.load(Ordering::Acquire);
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                (u < limit).then_some(u + 1)
            })
            .ok()
            .map(|_| Slot {
                capacity: self.clone(),
            })
    }

    /// A slot even beyond the limit, for tasks accepted before a restart.
    pub fn reserve_anyway(self: &Arc<Self>) -> Slot {
        self.used.fetch_add(1, Ordering::AcqRel);
        Slot {
            capacity: self.clone(),
        }
    }

    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    pub fn set_limit(&self, limit: usize) {
        self.limit.store(limit.max(1), Ordering::Release);
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.capacity.used.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_exceeds_the_limit_under_contention() {
        let cap = Capacity::new(3);
        let slots: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16).map(|_| s.spawn(|| cap.try_reserve())).collect();
            handles
                .into_iter()
                .filter_map(|h| h.join().ok().flatten())
                .collect()
        });
        assert_eq!(slots.len(), 3);
        drop(slots);
        assert_eq!(cap.used(), 0);
    }
}
