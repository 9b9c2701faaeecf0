//! HeyGen's cursor lists as streams.
//!
//! A list operation takes a `token` query parameter and answers `has_more`
//! and `next_token` (at the root, or inside `data` for the batch
//! endpoints). Every such builder gets [`Paginated::pages`] and
//! [`Paginated::items`] (bring them in with `use heygen_api_ext::prelude::*`);
//! the impls are generated from the spec by `cargo xtask regen`.
//!
//! The walk stops when `has_more` is false, or when HeyGen gives no
//! `has_more` and no `next_token`. It never ends silently on a page that
//! says there is more: [`Error::Pagination`] ends it when `has_more: true`
//! comes without a `next_token`, when a page has no `data`, when a cursor
//! comes back a second time, and after [`MAX_EMPTY_PAGES`] empty pages in a
//! row that each say there is more (a server handing out fresh cursors
//! with nothing behind them would otherwise be walked forever).

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use heygen_api::hooks::BoxFuture;
use heygen_api::operations::ErrorBody;
use progenitor_client::ResponseValue;

use crate::Error;

/// Empty pages in a row, each saying there is more, after which a walk
/// ends with [`Error::Pagination`].
pub const MAX_EMPTY_PAGES: u32 = 5;

#[rustfmt::skip]
mod generated;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The cursor of the next page, if HeyGen gave one.
    pub next_token: Option<String>,
    /// HeyGen's `has_more`, if it said.
    pub has_more: Option<bool>,
}

/// What follows a page.
enum Next<'p> {
    /// The page after this cursor.
    Page(&'p str),
    /// Nothing: the list is complete.
    End,
    /// HeyGen says there is more but gave no way to get it.
    Missing,
}

impl<T> Page<T> {
    fn next(&self) -> Next<'_> {
        let token = self.next_token.as_deref().filter(|t| !t.is_empty());
        match (self.has_more, token) {
            (Some(false), _) => Next::End,
            (_, Some(token)) => Next::Page(token),
            (Some(true), None) => Next::Missing,
            (None, None) => Next::End,
        }
    }
}

/// Awaits a list operation's `send()` and splits the answer into a page
/// with `split`, which returns `None` when the answer has no list.
pub(crate) async fn fetch_page<T, I>(
    operation: &'static str,
    sent: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>> + Send,
    split: impl FnOnce(T) -> Option<Page<I>> + Send,
) -> Result<Page<I>, Error> {
    crate::transport::call(sent, split, || {
        format!("a page of {operation} has no `data`: the list cannot be walked further")
    })
    .await
}

/// A list request that can be walked page by page. Implemented (by
/// generated code) for every paginated operation's builder.
pub trait Paginated<'a>: Clone + Send + Sized + 'a {
    /// What the list holds.
    type Item: Send + 'a;

    /// The spec's operation id.
    const OPERATION_ID: &'static str;

    /// The same request, asking for the page after `token`.
    fn with_token(self, token: String) -> Self;

    /// Sends the request and splits the response into a [`Page`].
    fn fetch(self) -> BoxFuture<'a, Result<Page<Self::Item>, Error>>;

    /// Every page, in order, as a stream.
    fn pages(self) -> Pages<'a, Self> {
        Pages::new(self)
    }

    /// Every item of every page, in order, as a stream. The next page is
    /// fetched while the current one is consumed (see [`Items::prefetch`]).
    fn items(self) -> Items<'a, Self> {
        Items {
            pages: Pages::new(self),
            buffer: VecDeque::new(),
            next_page: None,
            pages_done: false,
            prefetch: true,
        }
    }
}

/// The stream of [`Paginated::pages`].
#[must_use = "streams do nothing unless polled"]
pub struct Pages<'a, B: Paginated<'a>> {
    request: B,
    in_flight: Option<BoxFuture<'a, Result<Page<B::Item>, Error>>>,
    /// A page (or error) that arrived while nobody asked for it.
    ready: Option<Result<Page<B::Item>, Error>>,
    seen: HashSet<String>,
    /// Empty pages in a row that said there was more.
    empty_run: u32,
    /// An error to yield after the current page (a repeated cursor).
    trailing_error: Option<Error>,
    prefetch: bool,
}

impl<'a, B: Paginated<'a>> Pages<'a, B> {
    fn new(request: B) -> Self {
        let first = request.clone().fetch();
        Self {
            request,
            in_flight: Some(first),
            ready: None,
            seen: HashSet::new(),
            empty_run: 0,
            trailing_error: None,
            prefetch: false,
        }
    }

    /// Start fetching the next page as soon as a page is handed out, so the
    /// request is under way while the caller works on the page (on by
    /// default for [`Paginated::items`], off here).
    pub fn prefetch(mut self, enabled: bool) -> Self {
        self.prefetch = enabled;
        self
    }

    fn stop(&mut self, message: String) {
        self.trailing_error = Some(Error::Pagination {
            operation: B::OPERATION_ID,
            message,
        });
    }

    fn after(&mut self, page: &Page<B::Item>, cx: &mut Context<'_>) {
        let token = match page.next() {
            Next::End => return,
            Next::Missing => {
                return self.stop(
                    "HeyGen said has_more: true but gave no next_token; the list is incomplete"
                        .to_string(),
                );
            }
            Next::Page(token) => token,
        };
        if !self.seen.insert(token.to_string()) {
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
        let mut next = self.request.clone().with_token(token.to_string()).fetch();
        if self.prefetch {
            // One poll starts the request, on a task of its own, which
            // carries it to the response while the caller is busy with this
            // page (measured in BENCHMARKS.md).
            if let Poll::Ready(result) = crate::transport::prefetching(|| next.as_mut().poll(cx)) {
                self.ready = Some(result);
                return;
            }
        }
        self.in_flight = Some(next);
    }
}

impl<'a, B: Paginated<'a>> Stream for Pages<'a, B> {
    type Item = Result<Page<B::Item>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let result = if let Some(ready) = this.ready.take() {
            ready
        } else if let Some(fut) = this.in_flight.as_mut() {
            match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => {
                    this.in_flight = None;
                    r
                }
            }
        } else if let Some(e) = this.trailing_error.take() {
            return Poll::Ready(Some(Err(e)));
        } else {
            return Poll::Ready(None);
        };
        match result {
            Ok(page) => {
                this.after(&page, cx);
                Poll::Ready(Some(Ok(page)))
            }
            Err(e) => {
                // An error ends the walk.
                this.trailing_error = None;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

/// The stream of [`Paginated::items`].
#[must_use = "streams do nothing unless polled"]
pub struct Items<'a, B: Paginated<'a>> {
    pages: Pages<'a, B>,
    buffer: VecDeque<B::Item>,
    next_page: Option<Result<Page<B::Item>, Error>>,
    pages_done: bool,
    prefetch: bool,
}

impl<'a, B: Paginated<'a>> Items<'a, B> {
    /// Fetch the next page while the current one is consumed (default on:
    /// wall time near the larger of server and consumer time instead of
    /// their sum). At most one page is held ahead.
    pub fn prefetch(mut self, enabled: bool) -> Self {
        self.prefetch = enabled;
        self
    }
}

impl<'a, B: Paginated<'a>> Unpin for Items<'a, B> {}
impl<'a, B: Paginated<'a>> Unpin for Pages<'a, B> {}

impl<'a, B: Paginated<'a>> Stream for Items<'a, B> {
    type Item = Result<B::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.next_page.is_none()
                && !this.pages_done
                && (this.prefetch || this.buffer.is_empty())
            {
                let pages = Pin::new(&mut this.pages);
                // Polled ahead of need: the fetch a poll starts runs on a
                // task of its own (see `transport::prefetching`).
                let polled = if this.prefetch {
                    crate::transport::prefetching(|| pages.poll_next(cx))
                } else {
                    pages.poll_next(cx)
                };
                match polled {
                    Poll::Ready(Some(p)) => this.next_page = Some(p),
                    Poll::Ready(None) => this.pages_done = true,
                    Poll::Pending => {}
                }
            }
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match this.next_page.take() {
                Some(Ok(page)) => this.buffer.extend(page.items),
                Some(Err(e)) => {
                    this.pages_done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None if this.pages_done => return Poll::Ready(None),
                None => return Poll::Pending,
            }
        }
    }
}

/// Conversions the generated glue uses, whatever optionality typify gave
/// the `data`, `has_more` and `next_token` fields.
#[doc(hidden)]
pub mod fields {
    /// A list field.
    pub trait IntoItems<T> {
        /// The items; `None` when the field was absent.
        fn into_items(self) -> Option<Vec<T>>;
    }
    impl<T> IntoItems<T> for Vec<T> {
        fn into_items(self) -> Option<Vec<T>> {
            Some(self)
        }
    }
    impl<T> IntoItems<T> for Option<Vec<T>> {
        fn into_items(self) -> Option<Vec<T>> {
            self
        }
    }
    /// A `has_more` field.
    pub trait IntoFlag {
        /// The flag, if present.
        fn into_flag(self) -> Option<bool>;
    }
    impl IntoFlag for bool {
        fn into_flag(self) -> Option<bool> {
            Some(self)
        }
    }
    impl IntoFlag for Option<bool> {
        fn into_flag(self) -> Option<bool> {
            self
        }
    }
    /// A `next_token` field.
    pub trait IntoCursor {
        /// The cursor, if present.
        fn into_cursor(self) -> Option<String>;
    }
    impl IntoCursor for String {
        fn into_cursor(self) -> Option<String> {
            Some(self)
        }
    }
    impl IntoCursor for Option<String> {
        fn into_cursor(self) -> Option<String> {
            self
        }
    }
}
