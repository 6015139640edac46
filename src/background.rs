//! Threads that do the engine's own upkeep (a bundle's checksum, the store's checkpoints) while
//! cases run: they take only CPU that the cases, the uploads and the heartbeat leave idle.

/// Puts the calling thread in the scheduler's idle class (`SCHED_IDLE`): it then runs only on
/// a core nothing else wants (or, under a load that never ends, on a small share of one). Best
/// effort; a thread left at normal priority is only slower to give way.
pub fn at_idle_priority() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: a plain call on the calling thread (pid 0) with a valid parameter.
    let _ = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
}
