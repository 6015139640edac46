//! A bounded channel whose receiver takes its items in batches and is woken once per batch,
//! not once per item.
//!
//! Why: the agent commits results to the store in groups anyway, but a consumer that awaits
//! every item is woken at every case's end. On a multi-threaded runtime such a wake-up often
//! displaces another task from the worker's next-task slot, and tokio then wakes a parked
//! worker thread (a futex or eventfd write, and a context switch on the woken core) to steal
//! it. Measured on (a) of `cargo bench --bench e2e`, those hand-offs were about 3 % of the
//! engine's CPU in the wake-up system calls alone.
//!
//! Here the receiver, once it holds the first item of a batch, sleeps on a timer instead of
//! on the channel, so sends in between wake nobody. It still takes everything at once when
//! the channel is nearly full (the sender says so), so a fast producer never waits for the
//! window, and when every sender is gone, so the last batch is not held back.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// Creates a channel holding at most `capacity` items (at least 4).
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let capacity = capacity.max(4);
    let (tx, rx) = mpsc::channel(capacity);
    let nudge = Arc::new(Notify::new());
    (
        Sender {
            tx,
            nudge: nudge.clone(),
            low_room: capacity / 4,
        },
        Receiver { rx, nudge },
    )
}

/// The sending half; clones share the channel.
#[derive(Debug)]
pub struct Sender<T> {
    tx: mpsc::Sender<T>,
    /// Wakes a receiver that waits out a batch window.
    nudge: Arc<Notify>,
    /// At or below this much free room, the receiver is told to take what is there.
    low_room: usize,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            tx: self.tx.clone(),
            nudge: self.nudge.clone(),
            low_room: self.low_room,
        }
    }
}

/// The receiver is gone; the item comes back.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> Sender<T> {
    /// Sends `item`, waiting while the channel is full.
    pub async fn send(&self, item: T) -> Result<(), Closed<T>> {
        self.tx.send(item).await.map_err(|e| Closed(e.0))?;
        if self.tx.capacity() <= self.low_room {
            self.nudge.notify_one();
        }
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // The last sender gone ends the batch at once; an earlier one ends it a little early,
        // which costs one more commit and nothing else.
        self.nudge.notify_one();
    }
}

/// The receiving half.
#[derive(Debug)]
pub struct Receiver<T> {
    rx: mpsc::Receiver<T>,
    nudge: Arc<Notify>,
}

impl<T> Receiver<T> {
    /// The next item, one at a time (woken by every send); `None` once every sender is gone
    /// and the channel is empty.
    pub async fn recv(&mut self) -> Option<T> {
        self.rx.recv().await
    }

    /// Waits for an item, then collects what else arrives within `window` of it, up to `max`
    /// items; returns earlier when the channel is nearly full or every sender is gone. `None`
    /// once every sender is gone and the channel is empty.
    pub async fn recv_batch(&mut self, window: Duration, max: usize) -> Option<Vec<T>> {
        let max = max.max(1);
        let first = self.rx.recv().await?;
        let deadline = tokio::time::Instant::now() + window;
        let mut batch = vec![first];
        loop {
            loop {
                if batch.len() >= max {
                    return Some(batch);
                }
                match self.rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => return Some(batch),
                }
            }
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => {
                    while batch.len() < max {
                        match self.rx.try_recv() {
                            Ok(item) => batch.push(item),
                            Err(_) => break,
                        }
                    }
                    return Some(batch);
                }
                () = self.nudge.notified() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn a_batch_holds_what_arrives_within_the_window() {
        let (tx, mut rx) = channel::<u32>(64);
        let producer = tokio::spawn(async move {
            for i in 0..5 {
                tx.send(i).await.expect("open");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            // Keep the sender alive past the window: the batch ends by its timer.
            tokio::time::sleep(Duration::from_millis(400)).await;
            drop(tx);
        });
        let batch = tokio::time::timeout(
            Duration::from_secs(10),
            rx.recv_batch(Duration::from_millis(200), 64),
        )
        .await
        .expect("within the window")
        .expect("a batch");
        assert_eq!(batch, vec![0, 1, 2, 3, 4]);
        let end = tokio::time::timeout(
            Duration::from_secs(10),
            rx.recv_batch(Duration::from_millis(200), 64),
        )
        .await
        .expect("the end is seen");
        assert_eq!(end, None);
        producer.await.expect("producer");
    }

    #[tokio::test]
    async fn a_batch_ends_at_once_when_the_senders_are_gone() {
        let (tx, mut rx) = channel::<u32>(64);
        tx.send(1).await.expect("open");
        tx.send(2).await.expect("open");
        let clock = Instant::now();
        let receiver = tokio::spawn(async move {
            let batch = rx.recv_batch(Duration::from_secs(60), 64).await;
            (batch, rx.recv_batch(Duration::from_secs(60), 64).await)
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        tx.send(3).await.expect("open");
        drop(tx);
        let (batch, end) = tokio::time::timeout(Duration::from_secs(10), receiver)
            .await
            .expect("not held for the 60 s window")
            .expect("receiver");
        assert_eq!(batch, Some(vec![1, 2, 3]));
        assert_eq!(end, None);
        assert!(clock.elapsed() < Duration::from_secs(30));
    }

    #[tokio::test]
    async fn a_fast_producer_never_waits_for_the_window() {
        // 1,000 items through a channel of 16 with a 60 s window: the producer would stall
        // for a minute per 16 items if the receiver slept the window out while it was full.
        let (tx, mut rx) = channel::<u32>(16);
        let producer = tokio::spawn(async move {
            for i in 0..1000 {
                tx.send(i).await.expect("open");
            }
        });
        let mut got = Vec::new();
        let drained = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(batch) = rx.recv_batch(Duration::from_secs(60), 8).await {
                assert!(batch.len() <= 8, "max respected");
                got.extend(batch);
            }
        })
        .await;
        assert!(drained.is_ok(), "the producer stalled on a full channel");
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
        producer.await.expect("producer");
    }

    #[tokio::test]
    async fn sending_to_a_closed_receiver_gives_the_item_back() {
        let (tx, rx) = channel::<u32>(4);
        drop(rx);
        assert_eq!(tx.send(7).await, Err(Closed(7)));
    }
}
