//! The group-commit writer: one task owns the only write connection.
//!
//! SQLite allows one writer at a time; letting many pool connections race for the lock is what
//! produces "database is locked" under load and one fsync per tiny write. Instead every write is
//! a job queued to this task, which takes everything waiting (up to [`MAX_BATCH`]), runs it in a
//! single transaction with a savepoint per job — a failing job rolls back only itself and gets
//! its own error — commits once (one fsync for the whole group) and only then answers the
//! callers, so an `Ok` always means "durable".

use crate::db::Db;
use crate::dialect::Dialect;
use ferroflow_store::{StoreError, StoreResult};
use futures::future::BoxFuture;
use std::any::Any;
use tokio::sync::{mpsc, oneshot};

/// Most jobs committed together; bounds the latency a single commit adds to the first job.
const MAX_BATCH: usize = 512;
/// Queue depth before callers wait (back-pressure instead of unbounded memory).
const QUEUE: usize = 4096;

type AnyResult = StoreResult<Box<dyn Any + Send>>;
type Work = Box<dyn for<'c> FnOnce(&'c mut dyn Db) -> BoxFuture<'c, AnyResult> + Send>;

struct Job {
    work: Work,
    reply: oneshot::Sender<AnyResult>,
}

enum Msg {
    Job(Job),
    Close(oneshot::Sender<()>),
}

pub(crate) struct Writer {
    tx: mpsc::Sender<Msg>,
}

fn closed() -> StoreError {
    StoreError::Backend("the store is closed".to_owned())
}

impl Writer {
    /// Starts the writer task on `db`, which it owns from now on.
    pub(crate) fn spawn(db: Box<dyn Db>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer_loop(db, rx));
        Self { tx }
    }

    /// Runs `f` inside the next group transaction and returns its result once committed.
    pub(crate) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Db) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let work: Work = Box::new(move |db| {
            Box::pin(async move { f(db).await.map(|v| Box::new(v) as Box<dyn Any + Send>) })
        });
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Msg::Job(Job { work, reply }))
            .await
            .map_err(|_| closed())?;
        let any = rx.await.map_err(|_| closed())??;
        any.downcast::<T>()
            .map(|b| *b)
            .map_err(|_| StoreError::Backend("writer returned an unexpected type".to_owned()))
    }

    /// Lets every job queued so far finish, then closes the write connection. Later writes fail.
    pub(crate) async fn close(&self) {
        let (ack, rx) = oneshot::channel();
        if self.tx.send(Msg::Close(ack)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

async fn writer_loop(mut db: Box<dyn Db>, mut rx: mpsc::Receiver<Msg>) {
    let mut ack = None;
    while ack.is_none() {
        let Some(first) = rx.recv().await else { break };
        let mut batch = Vec::new();
        match first {
            Msg::Job(j) => batch.push(j),
            Msg::Close(a) => ack = Some(a),
        }
        while ack.is_none() && batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Msg::Job(j)) => batch.push(j),
                Ok(Msg::Close(a)) => ack = Some(a),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            run_batch(db.as_mut(), batch).await;
        }
    }
    rx.close();
    db.close().await;
    if let Some(a) = ack {
        let _ = a.send(());
    }
}

async fn run_batch(db: &mut dyn Db, batch: Vec<Job>) {
    let dialect: Dialect = db.dialect();
    if let Err(e) = db.raw(dialect.begin_write()).await {
        let msg = e.to_string();
        for job in batch {
            let _ = job.reply.send(Err(StoreError::Backend(msg.clone())));
        }
        return;
    }
    let mut done: Vec<(oneshot::Sender<AnyResult>, AnyResult)> = Vec::with_capacity(batch.len());
    let mut fatal: Option<String> = None;
    let mut jobs = batch.into_iter();
    for job in jobs.by_ref() {
        if let Err(e) = db.raw("SAVEPOINT ff_job").await {
            fatal = Some(e.to_string());
            let _ = job.reply.send(Err(e));
            break;
        }
        let result = (job.work)(db).await;
        let end = if result.is_ok() {
            db.raw("RELEASE SAVEPOINT ff_job").await
        } else {
            match db.raw("ROLLBACK TO SAVEPOINT ff_job").await {
                Ok(()) => db.raw("RELEASE SAVEPOINT ff_job").await,
                Err(e) => Err(e),
            }
        };
        if let Err(e) = end {
            fatal = Some(e.to_string());
            let _ = job.reply.send(Err(e));
            break;
        }
        done.push((job.reply, result));
    }
    if fatal.is_none()
        && let Err(e) = db.raw("COMMIT").await
    {
        fatal = Some(e.to_string());
    }
    if let Some(msg) = fatal {
        let _ = db.raw("ROLLBACK").await;
        tracing::error!(error = %msg, "group commit failed; every write in the group is reported failed");
        for (reply, _) in done {
            let _ = reply.send(Err(StoreError::Backend(msg.clone())));
        }
        for job in jobs {
            let _ = job.reply.send(Err(StoreError::Backend(msg.clone())));
        }
        return;
    }
    for (reply, result) in done {
        let _ = reply.send(result);
    }
}
