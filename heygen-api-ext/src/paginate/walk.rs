//! The walk from page to page, and the streams that hand it out.
//!
//! A walk is one chain: request a page, decode it, check its cursor,
//! request the next. [`Walk`] is that chain and nothing else; it runs
//! either on a task of its own, which sends pages into a bounded channel
//! (the default whenever a tokio runtime is there to spawn on), or inside
//! the consumer's polls when no page may be fetched ahead.
//!
//! On its own task the chain never waits for the consumer, except for
//! room in the channel: a consumer that blocks its thread or computes
//! between items stalls nothing until `pages_ahead` pages are waiting for
//! it. The task asks for room before it requests a page, so at most
//! `pages_ahead` pages wait in the channel and one more is with the
//! consumer.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::channel::mpsc;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use tracing::Instrument;

use super::{ListRequest, MAX_EMPTY_PAGES, Page};
use crate::Error;

/// Pages a walk fetches ahead of the consumer unless told otherwise
/// ([`Pages::pages_ahead`], [`Items::pages_ahead`]).
pub const DEFAULT_PAGES_AHEAD: usize = 1;

/// Where a walk goes next.
enum Cursor {
    /// The first page.
    First,
    /// The page after this token.
    After(String),
    /// Nothing more: the walk ends with this error.
    Failed(Error),
    /// Nothing more: the list is complete (or an error was handed out).
    Done,
}

/// The cursor chain of one list: a client, a request, and where it is.
struct Walk<R> {
    client: heygen_api::Client,
    request: R,
    cursor: Cursor,
    /// Every cursor so far, as a 64-bit hash under this walk's random key:
    /// a repeat is caught at once, and a walk of a million pages keeps
    /// several times less than it would keeping the cursors themselves. (A
    /// false repeat needs two hashes to collide: odds of about 3 in 10^8
    /// over a million pages.)
    seen: HashSet<u64>,
    keys: RandomState,
    /// Empty pages in a row that said there was more.
    empty_run: u32,
}

impl<R: ListRequest> Walk<R> {
    fn new(client: heygen_api::Client, request: R) -> Self {
        Walk {
            client,
            request,
            cursor: Cursor::First,
            seen: HashSet::new(),
            keys: RandomState::new(),
            empty_run: 0,
        }
    }

    /// The next page, `None` once the list is complete. An error ends the
    /// walk (after the page, when it is the page's cursor that is wrong).
    async fn next_page(&mut self) -> Option<Result<Page<R::Item>, Error>> {
        let token = match std::mem::replace(&mut self.cursor, Cursor::Done) {
            Cursor::Done => return None,
            Cursor::Failed(e) => return Some(Err(e)),
            Cursor::First => None,
            Cursor::After(token) => Some(token),
        };
        let page = match self.request.clone().fetch(&self.client, token).await {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        self.cursor = self.after(&page);
        Some(Ok(page))
    }

    /// Where the walk goes after `page`.
    fn after(&mut self, page: &Page<R::Item>) -> Cursor {
        let token = page.next_token.as_deref().filter(|t| !t.is_empty());
        let token = match (page.has_more, token) {
            (Some(false), _) | (None, None) => return Cursor::Done,
            (Some(true), None) => {
                return self.stop(
                    "HeyGen said has_more: true but gave no next_token; the list is incomplete"
                        .to_string(),
                );
            }
            (_, Some(token)) => token,
        };
        if !self.seen.insert(self.keys.hash_one(token)) {
            return self.stop(format!(
                "HeyGen returned the cursor {token:?} a second time; stopping instead of looping"
            ));
        }
        self.empty_run = if page.items.is_empty() {
            self.empty_run + 1
        } else {
            0
        };
        if self.empty_run >= MAX_EMPTY_PAGES {
            return self.stop(format!(
                "{MAX_EMPTY_PAGES} empty pages in a row, each saying there is more; stopping instead of walking forever"
            ));
        }
        Cursor::After(token.to_string())
    }

    fn stop(&self, message: String) -> Cursor {
        Cursor::Failed(Error::Pagination {
            operation: R::OPERATION_ID,
            message,
        })
    }

    /// The walk inside the consumer's polls: a page is requested when the
    /// consumer asks for one.
    fn in_polls(self) -> BoxStream<'static, Result<Page<R::Item>, Error>> {
        futures::stream::unfold(self, |mut walk| async move {
            walk.next_page().await.map(|page| (page, walk))
        })
        .boxed()
    }

    /// The walk on a task of its own, `ahead` (at least 1) pages ahead of
    /// the consumer.
    fn on_task(mut self, ahead: usize, runtime: &tokio::runtime::Handle) -> OnTask<R::Item> {
        // A futures channel holds its buffer plus one slot per sender.
        let (mut pages, received) = mpsc::channel(ahead - 1);
        let task = runtime.spawn(
            async move {
                loop {
                    // Room first, then the request: no page is fetched that
                    // could not be handed over, and memory stays bounded.
                    if futures::future::poll_fn(|cx| pages.poll_ready(cx))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    let Some(page) = self.next_page().await else {
                        return;
                    };
                    if pages.start_send(page).is_err() {
                        return;
                    }
                }
            }
            // The walk's requests belong to whatever span asked for it.
            .in_current_span(),
        );
        OnTask {
            received,
            task: AbortOnDrop(task),
            operation: R::OPERATION_ID,
        }
    }
}

/// A walk running on its own task.
struct OnTask<T> {
    received: mpsc::Receiver<Result<Page<T>, Error>>,
    /// Dropped with the stream, which aborts the task: a request in flight
    /// is dropped at once.
    task: AbortOnDrop,
    operation: &'static str,
}

impl<T> OnTask<T> {
    /// What the end of the channel means. The task closes it when the
    /// list is complete or after handing out the error that ended it; but
    /// also when it panicked or its runtime shut down, and a list cut short
    /// must not read as a complete one.
    fn poll_end(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Page<T>, Error>>> {
        Poll::Ready(match ready!(Pin::new(&mut self.task.0).poll(cx)) {
            Ok(()) => None,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Some(Err(Error::Pagination {
                operation: self.operation,
                message: "the walk's task was cancelled (its tokio runtime shut down) before the list was complete".to_string(),
            })),
        })
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

enum State<R: ListRequest> {
    /// Not polled yet: the walk starts at the first poll, where a runtime
    /// is known to be running. (Boxed: it is the one large variant.)
    Ready(Box<Walk<R>>),
    InPolls(BoxStream<'static, Result<Page<R::Item>, Error>>),
    OnTask(OnTask<R::Item>),
    Done,
}

/// The stream of [`Paginated::pages`](super::Paginated::pages). `'static`:
/// it owns a clone of the client, so it can be returned, stored or moved
/// to another task.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<R: ListRequest> {
    state: State<R>,
    ahead: usize,
}

impl<R: ListRequest> Pages<R> {
    pub(super) fn new(client: heygen_api::Client, request: R) -> Self {
        Pages {
            state: State::Ready(Box::new(Walk::new(client, request))),
            ahead: DEFAULT_PAGES_AHEAD,
        }
    }

    /// How many pages the walk may fetch ahead of the consumer (default
    /// [`DEFAULT_PAGES_AHEAD`]). With `n` ahead, at most `n + 1` pages are
    /// held at once: `n` waiting, one with the consumer. `0` fetches a page
    /// only when the consumer asks for it, inside its poll, with no task.
    /// Has no effect once the stream has been polled.
    pub fn pages_ahead(mut self, n: usize) -> Self {
        self.ahead = n;
        self
    }

    /// `prefetch(false)` is `pages_ahead(0)`; `prefetch(true)` restores the
    /// default.
    pub fn prefetch(self, enabled: bool) -> Self {
        self.pages_ahead(if enabled { DEFAULT_PAGES_AHEAD } else { 0 })
    }

    /// Starts the walk, if it has not started.
    fn start(&mut self) {
        self.state = match std::mem::replace(&mut self.state, State::Done) {
            State::Ready(walk) => match tokio::runtime::Handle::try_current() {
                Ok(runtime) if self.ahead > 0 => State::OnTask(walk.on_task(self.ahead, &runtime)),
                // No runtime to spawn on (another executor polls us): the
                // walk stays in the consumer's polls rather than failing.
                _ => State::InPolls(walk.in_polls()),
            },
            started => started,
        };
    }
}

impl<R: ListRequest> Unpin for Pages<R> {}

impl<R: ListRequest> Stream for Pages<R> {
    type Item = Result<Page<R::Item>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        this.start();
        let next = match &mut this.state {
            State::InPolls(walk) => ready!(walk.poll_next_unpin(cx)),
            State::OnTask(walk) => match ready!(walk.received.poll_next_unpin(cx)) {
                Some(page) => return Poll::Ready(Some(page)),
                None => {
                    let end = ready!(walk.poll_end(cx));
                    this.state = State::Done;
                    return Poll::Ready(end);
                }
            },
            State::Ready(_) | State::Done => None,
        };
        if next.is_none() {
            this.state = State::Done;
        }
        Poll::Ready(next)
    }
}

/// The stream of [`Paginated::items`](super::Paginated::items): the items
/// of [`Pages`], one by one.
#[must_use = "streams do nothing unless polled"]
pub struct Items<R: ListRequest> {
    pages: Pages<R>,
    /// The rest of the page being handed out.
    buffer: VecDeque<R::Item>,
}

impl<R: ListRequest> Items<R> {
    pub(super) fn new(pages: Pages<R>) -> Self {
        Items {
            pages,
            buffer: VecDeque::new(),
        }
    }

    /// How many pages the walk may fetch ahead of the consumer (see
    /// [`Pages::pages_ahead`]).
    pub fn pages_ahead(mut self, n: usize) -> Self {
        self.pages = self.pages.pages_ahead(n);
        self
    }

    /// `prefetch(false)` is `pages_ahead(0)`; `prefetch(true)` restores the
    /// default.
    pub fn prefetch(mut self, enabled: bool) -> Self {
        self.pages = self.pages.prefetch(enabled);
        self
    }
}

impl<R: ListRequest> Unpin for Items<R> {}

impl<R: ListRequest> Stream for Items<R> {
    type Item = Result<R::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(this.pages.poll_next_unpin(cx)) {
                Some(Ok(page)) => this.buffer.extend(page.items),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}
