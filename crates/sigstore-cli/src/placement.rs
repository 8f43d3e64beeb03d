//! Where the worker threads of a batch start (Linux).
//!
//! Some kernels start a new thread on the CPU of the thread that created it and move it only
//! when load balancing next runs: this project's test machines (Firecracker guests whose
//! scheduler packs threads onto busy vCPUs so idle ones can stay halted) were seen running a
//! new worker and its creator on one CPU for 10-20 ms while the other CPU idled. A worker
//! that finds itself on its creator's CPU moves to a CPU of its own from the allowed set,
//! then takes the whole set back, so the kernel can still move it later (nothing stays
//! pinned). A worker the kernel placed elsewhere stays where it is.

/// The CPUs this process may run on, the creating thread's first.
pub(crate) struct Placement {
    #[cfg(target_os = "linux")]
    allowed: Option<rustix::thread::CpuSet>,
    #[cfg(target_os = "linux")]
    cpus: Vec<usize>,
}

#[cfg(target_os = "linux")]
impl Placement {
    /// The allowed CPUs, with the calling thread's CPU first.
    pub(crate) fn here() -> Self {
        use rustix::thread::{sched_getaffinity, sched_getcpu, CpuSet};
        let Ok(allowed) = sched_getaffinity(None) else {
            return Self {
                allowed: None,
                cpus: Vec::new(),
            };
        };
        let current = sched_getcpu();
        let mut cpus = vec![current];
        cpus.extend((0..CpuSet::MAX_CPU).filter(|&cpu| cpu != current && allowed.is_set(cpu)));
        Self {
            allowed: Some(allowed),
            cpus,
        }
    }

    /// Whether there is another CPU to move to.
    fn spreads(&self) -> bool {
        self.allowed.is_some() && self.cpus.len() > 1
    }

    /// Called first thing by worker `worker` (1, 2, ...; the creating thread is 0): when it is
    /// on its creator's CPU, moves it to a CPU no earlier worker was sent to, then allows it
    /// every CPU again. Best effort: a failed call leaves the thread where it is.
    pub(crate) fn settle(&self, worker: usize) {
        use rustix::thread::{sched_getcpu, sched_setaffinity, CpuSet};
        let (Some(allowed), true) = (&self.allowed, self.spreads()) else {
            return;
        };
        if sched_getcpu() != self.cpus[0] {
            return;
        }
        let cpu = self.cpus[1 + worker.saturating_sub(1) % (self.cpus.len() - 1)];
        let mut one = CpuSet::new();
        one.set(cpu);
        if sched_setaffinity(None, &one).is_ok() {
            let _ = sched_setaffinity(None, allowed);
        }
    }

    /// Called by the creating thread after starting a worker: lets the worker run (and move
    /// itself) now when the kernel queued it behind this thread on this CPU, where it would
    /// otherwise wait for this thread's time slice to end. When the worker went to another
    /// CPU there is nothing to yield to, and the call returns at once.
    pub(crate) fn let_start(&self) {
        if self.spreads() {
            std::thread::yield_now();
        }
    }
}

/// Elsewhere the kernel's placement stands.
#[cfg(not(target_os = "linux"))]
impl Placement {
    /// Nothing to record.
    pub(crate) fn here() -> Self {
        Self {}
    }

    /// Leaves the worker where it is.
    pub(crate) fn settle(&self, _worker: usize) {}

    /// Nothing to wait for.
    pub(crate) fn let_start(&self) {}
}
