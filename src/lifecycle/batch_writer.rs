//! A log file's writer: logging calls append their line to a shared buffer, and one background
//! thread writes the buffer out when it has waited [`FLUSH_AFTER`] or holds [`WAKE_AT`] bytes.
//!
//! tracing-appender's writer wakes its thread for every line; at one line per finished case that
//! wake-up (a futex call and a context switch on an otherwise idle core) cost more than
//! formatting the line. Here a burst of lines costs one wake-up, an idle engine none, and memory
//! stays bounded: past [`MAX_BUFFERED`] a logging call waits for the writer instead of growing
//! the buffer, so no line is ever dropped. Lines reach the file within [`FLUSH_AFTER`], warnings
//! and errors at once; what is buffered at a SIGKILL is lost, as with any in-process log buffer.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// The longest a line waits in the buffer.
pub const FLUSH_AFTER: Duration = Duration::from_millis(100);
/// A buffer this full is written at once.
pub const WAKE_AT: usize = 64 * 1024;
/// A buffer this full makes logging calls wait for the writer.
pub const MAX_BUFFERED: usize = 1024 * 1024;

#[derive(Default)]
struct State {
    buf: Vec<u8>,
    /// A warning or an error waits in `buf`: write without gathering more.
    urgent: bool,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// The buffer got its first bytes or an urgent line, crossed [`WAKE_AT`], or the writer is
    /// closing.
    filled: Condvar,
    /// The background thread took the buffer: waiting logging calls may go on.
    drained: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a thread panicked while appending plain bytes.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The logging side: cheap to clone, one per formatting layer.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

/// Writes what is buffered and stops the background thread when dropped: keep it alive as
/// long as logging runs, and drop it last.
pub struct BatchGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl BatchWriter {
    /// Starts the background thread `name` that writes to `out` line by line (so a rotating
    /// file sees the same writes as before, one per line).
    pub fn spawn<W: Write + Send + 'static>(
        out: W,
        name: &str,
    ) -> std::io::Result<(BatchWriter, BatchGuard)> {
        Self::spawn_gathering(out, name, FLUSH_AFTER)
    }

    /// [`BatchWriter::spawn`] with another gathering delay than [`FLUSH_AFTER`].
    fn spawn_gathering<W: Write + Send + 'static>(
        out: W,
        name: &str,
        gather: Duration,
    ) -> std::io::Result<(BatchWriter, BatchGuard)> {
        let shared = Arc::new(Shared::default());
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || write_batches(&worker, out, gather))?;
        Ok((
            BatchWriter {
                shared: shared.clone(),
            },
            BatchGuard {
                shared,
                thread: Some(thread),
            },
        ))
    }

    fn append(&self, bytes: &[u8], urgent: bool) {
        let mut state = self.shared.lock();
        while state.buf.len() >= MAX_BUFFERED && !state.closed {
            state = self
                .shared
                .drained
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
        let before = state.buf.len();
        state.buf.extend_from_slice(bytes);
        let first_urgent = urgent && !state.urgent;
        state.urgent |= urgent;
        if before == 0 || first_urgent || (before < WAKE_AT && state.buf.len() >= WAKE_AT) {
            self.shared.filled.notify_one();
        }
    }
}

fn write_batches<W: Write>(shared: &Shared, mut out: W, gather: Duration) {
    let mut batch = Vec::new();
    loop {
        let closed = {
            let mut state = shared.lock();
            // Asleep while there is nothing to write.
            while state.buf.is_empty() && !state.closed {
                state = shared.filled.wait(state).unwrap_or_else(|p| p.into_inner());
            }
            // Then give the burst a moment to gather, unless the buffer is full already.
            if state.buf.len() < WAKE_AT && !state.urgent && !state.closed {
                state = shared
                    .filled
                    .wait_timeout(state, gather)
                    .map(|(s, _)| s)
                    .unwrap_or_else(|p| p.into_inner().0);
            }
            std::mem::swap(&mut state.buf, &mut batch);
            state.urgent = false;
            shared.drained.notify_all();
            state.closed && state.buf.is_empty()
        };
        for line in batch.split_inclusive(|b| *b == b'\n') {
            if let Err(e) = out.write_all(line) {
                eprintln!("cannot write a log line: {e}");
            }
        }
        let _ = out.flush();
        batch.clear();
        // Keep a large burst's buffer from staying allocated.
        batch.shrink_to(WAKE_AT);
        if closed {
            return;
        }
    }
}

impl Drop for BatchGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.filled.notify_all();
        self.shared.drained.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One logging call's writer: each `write` appends to the shared buffer.
pub struct BatchLine<'a> {
    writer: &'a BatchWriter,
    urgent: bool,
}

impl Write for BatchLine<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.append(buf, self.urgent);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BatchWriter {
    type Writer = BatchLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        BatchLine {
            writer: self,
            urgent: false,
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        BatchLine {
            writer: self,
            urgent: *meta.level() <= tracing::Level::WARN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    /// Records every write it gets.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("sink").push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_arrives_once_in_order_one_write_per_line() {
        let sink = Sink::default();
        let (writer, guard) = BatchWriter::spawn(sink.clone(), "test-log").expect("spawn");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let w = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..5000 {
                        let mut line = w.make_line();
                        line.write_all(
                            format!("t{t} line {i:05} {}\n", "x".repeat(i % 300)).as_bytes(),
                        )
                        .expect("write");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        drop(guard);
        let writes = sink.0.lock().expect("sink").clone();
        assert_eq!(writes.len(), 4 * 5000);
        for t in 0..4 {
            let mine: Vec<usize> = writes
                .iter()
                .map(|w| String::from_utf8(w.clone()).expect("utf8"))
                .filter(|l| l.starts_with(&format!("t{t} ")))
                .map(|l| l[8..13].parse().expect("number"))
                .collect();
            assert_eq!(mine, (0..5000).collect::<Vec<_>>(), "thread {t}");
        }
        assert!(writes.iter().all(|w| w.ends_with(b"\n")));
    }

    #[test]
    fn a_line_reaches_the_file_without_more_lines_or_a_close() {
        let sink = Sink::default();
        let (writer, _guard) = BatchWriter::spawn(sink.clone(), "test-log").expect("spawn");
        writer.make_line().write_all(b"alone\n").expect("write");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while sink.0.lock().expect("sink").is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the line never arrived"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(sink.0.lock().expect("sink")[0], b"alone\n");
    }

    impl BatchWriter {
        fn make_line(&self) -> BatchLine<'_> {
            self.make_writer()
        }
    }

    /// A warning goes out at once, not after the gathering delay: with a delay of a minute
    /// both lines still arrive within the test's bound.
    #[test]
    fn an_urgent_line_does_not_wait_for_the_gathering_delay() {
        let sink = Sink::default();
        let (writer, _guard) =
            BatchWriter::spawn_gathering(sink.clone(), "test-log", Duration::from_secs(60))
                .expect("spawn");
        writer.make_line().write_all(b"info\n").expect("write");
        let mut urgent = BatchLine {
            writer: &writer,
            urgent: true,
        };
        urgent.write_all(b"warn\n").expect("write");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while sink.0.lock().expect("sink").len() < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "the lines waited for the gathering delay"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(sink.0.lock().expect("sink")[1], b"warn\n");
    }
}
