//! HeyGen's cursor lists as streams.
//!
//! A list operation takes a `token` query parameter and answers `has_more`
//! and `next_token` (at the root, or inside `data` for the batch
//! endpoints). Every such builder gets [`Paginated::pages`] and
//! [`Paginated::items`] (bring them in with `use heygen_api_ext::prelude::*`);
//! the impls are generated from the spec by `cargo xtask regen`.
//!
//! The walk stops when `has_more` is false or `next_token` is null or
//! empty. A cursor HeyGen has already returned ends the walk with
//! [`Error::Pagination`] rather than looping forever; an empty page that
//! says `has_more: true` is followed.

use std::collections::{HashSet, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use heygen_api::hooks::BoxFuture;

use crate::Error;

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

impl<T> Page<T> {
    /// Whether another page follows this one.
    fn continues(&self) -> Option<&str> {
        if self.has_more == Some(false) {
            return None;
        }
        self.next_token.as_deref().filter(|t| !t.is_empty())
    }
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

    fn after(&mut self, page: &Page<B::Item>, cx: &mut Context<'_>) {
        let Some(token) = page.continues() else {
            return;
        };
        if !self.seen.insert(token.to_string()) {
            self.trailing_error = Some(Error::Pagination {
                operation: B::OPERATION_ID,
                message: format!(
                    "HeyGen returned the cursor {token:?} a second time; stopping instead of looping"
                ),
            });
            return;
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
        /// The items, empty when absent.
        fn into_items(self) -> Vec<T>;
    }
    impl<T> IntoItems<T> for Vec<T> {
        fn into_items(self) -> Vec<T> {
            self
        }
    }
    impl<T> IntoItems<T> for Option<Vec<T>> {
        fn into_items(self) -> Vec<T> {
            self.unwrap_or_default()
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
