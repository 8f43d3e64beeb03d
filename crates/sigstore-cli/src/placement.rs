//! Where the worker threads of a batch start (Linux).
//!
//! Some kernels start a new thread on the CPU of the thread that created it and move it only
//! when load balancing next runs: this project's test machines (Firecracker guests whose
//! scheduler packs threads onto busy vCPUs so idle ones can stay halted) were seen running a
//! new worker and its creator on one CPU for 10-20 ms while the other CPU idled. A worker
//! that finds itself on its creator's CPU moves to a CPU of its own from the allowed set,
//! then takes the whole set back, so the kernel can still move it later (nothing stays
//! pinned). A worker the kernel placed elsewhere stays where it is.

use std::thread::{Scope, ScopedJoinHandle};

/// The CPUs this process may run on, the creating thread's first (empty when unknown).
pub(crate) struct Placement {
    #[cfg(target_os = "linux")]
    allowed: rustix::thread::CpuSet,
    #[cfg(target_os = "linux")]
    cpus: Vec<usize>,
}

impl Placement {
    /// Starts worker `worker` (1, 2, ...; the creating thread is 0) on `scope`, running `f`
    /// once it has settled, and lets it start before this thread goes on.
    pub(crate) fn spawn<'scope, T: Send + 'scope>(
        &'scope self,
        scope: &'scope Scope<'scope, '_>,
        worker: usize,
        f: impl FnOnce() -> T + Send + 'scope,
    ) -> ScopedJoinHandle<'scope, T> {
        let handle = scope.spawn(move || {
            self.settle(worker);
            f()
        });
        self.let_start();
        handle
    }
}

#[cfg(target_os = "linux")]
impl Placement {
    /// The allowed CPUs, with the calling thread's CPU first.
    pub(crate) fn here() -> Self {
        use rustix::thread::{sched_getaffinity, sched_getcpu, CpuSet};
        let Ok(allowed) = sched_getaffinity(None) else {
            return Self {
                allowed: CpuSet::new(),
                cpus: Vec::new(),
            };
        };
        let current = sched_getcpu();
        let mut cpus = vec![current];
        cpus.extend((0..CpuSet::MAX_CPU).filter(|&cpu| cpu != current && allowed.is_set(cpu)));
        Self { allowed, cpus }
    }

    /// Called first thing by worker `worker`: when it is on its creator's CPU, moves it to a
    /// CPU no earlier worker was sent to, then allows it every CPU again. Best effort: a
    /// failed call leaves the thread where it is.
    fn settle(&self, worker: usize) {
        use rustix::thread::{sched_getcpu, sched_setaffinity, CpuSet};
        if self.cpus.len() < 2 || sched_getcpu() != self.cpus[0] {
            return;
        }
        let cpu = self.cpus[1 + worker.saturating_sub(1) % (self.cpus.len() - 1)];
        let mut one = CpuSet::new();
        one.set(cpu);
        if sched_setaffinity(None, &one).is_ok() {
            let _ = sched_setaffinity(None, &self.allowed);
        }
    }

    /// Lets a worker just started run (and move itself) now when the kernel queued it behind
    /// this thread on this CPU, where it would otherwise wait for this thread's time slice to
    /// end. When the worker went to another CPU there is nothing to yield to.
    fn let_start(&self) {
        if self.cpus.len() > 1 {
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
    fn settle(&self, _worker: usize) {}

    /// Nothing to wait for.
    fn let_start(&self) {}
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::Placement;
    use rustix::thread::sched_getaffinity;

    /// A thread that settles while on the recorded creator CPU (its own, here) is moved when
    /// another CPU is allowed, and keeps every CPU it was allowed: the move is not a pin.
    #[test]
    fn settling_leaves_every_allowed_cpu() {
        let before = sched_getaffinity(None).expect("affinity");
        Placement::here().settle(1);
        assert_eq!(sched_getaffinity(None).expect("affinity"), before);
    }

    /// Workers started through a placement run their closure and return its value.
    #[test]
    fn spawned_workers_run() {
        let placement = Placement::here();
        let sum: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (1..4)
                .map(|worker| placement.spawn(scope, worker, move || worker * 10))
                .collect();
            handles.into_iter().map(|h| h.join().expect("worker")).sum()
        });
        assert_eq!(sum, 60);
    }
}
