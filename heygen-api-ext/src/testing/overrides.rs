//! Scripting one operation while the rest of the fake keeps working:
//! [`FakeHeyGen::on`](super::FakeHeyGen::on) and the [`Override`] it
//! installs.

use std::time::Duration;

use super::FakeHeyGen;
use super::http::Reply;

/// One scripted behaviour of one operation (internal form).
#[derive(Debug, Clone)]
struct Rule {
    id: u64,
    operation: &'static str,
    /// The reply to send instead of the fake's; `None` answers as usual.
    answer: Option<Reply>,
    delay: Duration,
    /// How many more requests it takes; `None` for all of them.
    remaining: Option<u32>,
    hits: u32,
}

/// The rules in force, oldest first.
#[derive(Debug, Default)]
pub(super) struct Rules {
    next_id: u64,
    rules: Vec<Rule>,
}

/// What the rules say about one request.
#[derive(Debug, Default)]
pub(super) struct Scripted {
    pub delay: Duration,
    pub answer: Option<Reply>,
}

impl Rules {
    fn push(&mut self, operation: &'static str, answer: Option<Reply>, delay: Duration) -> u64 {
        self.next_id += 1;
        self.rules.push(Rule {
            id: self.next_id,
            operation,
            answer,
            delay,
            remaining: None,
            hits: 0,
        });
        self.next_id
    }

    fn get(&mut self, id: u64) -> Option<&mut Rule> {
        self.rules.iter_mut().find(|r| r.id == id)
    }

    /// The first rule for `operation` with uses left takes the request.
    pub(super) fn take(&mut self, operation: &str) -> Option<Scripted> {
        let rule = self
            .rules
            .iter_mut()
            .find(|r| r.operation == operation && r.remaining != Some(0))?;
        rule.hits += 1;
        if let Some(left) = &mut rule.remaining {
            *left -= 1;
        }
        Some(Scripted {
            delay: rule.delay,
            answer: rule.answer.clone(),
        })
    }

    /// `429 rate_limit_exceeded` with `Retry-After` (whole seconds,
    /// rounded up), `times` times.
    pub(super) fn rate_limit(
        &mut self,
        operation: &'static str,
        times: u32,
        retry_after: Duration,
    ) {
        let secs = retry_after
            .as_secs()
            .saturating_add(u64::from(retry_after.subsec_nanos() > 0));
        let reply = error_reply(
            429,
            "rate_limit_exceeded",
            "Too many requests. Retry after the duration specified in the Retry-After header.",
        )
        .header("retry-after", &secs.to_string());
        let id = self.push(operation, Some(reply), Duration::ZERO);
        if let Some(rule) = self.get(id) {
            rule.remaining = Some(times);
        }
    }
}

/// HeyGen's error envelope, with the `doc_url` it carries.
fn error_reply(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        serde_json::json!({"error": {
            "code": code,
            "message": message,
            "param": null,
            "doc_url": format!("https://developers.heygen.com/docs/error-codes#{code}"),
        }}),
    )
}

/// The error code HeyGen sends with a status.
fn code_for(status: u16) -> &'static str {
    match status {
        400 => "invalid_parameter",
        401 => "unauthorized",
        402 => "insufficient_credit",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "payload_too_large",
        429 => "rate_limit_exceeded",
        500..=599 => "internal_error",
        _ => "error",
    }
}

/// Scripts one operation; from [`FakeHeyGen::on`]. Each method installs
/// a rule at once and returns its [`Override`] to refine it.
#[derive(Debug)]
#[must_use = "nothing is scripted until reply, status, respond or delay is called"]
pub struct On<'a> {
    pub(super) fake: &'a FakeHeyGen,
    pub(super) operation: &'static str,
}

impl<'a> On<'a> {
    fn install(self, answer: Option<Reply>, delay: Duration) -> Override<'a> {
        let id = self.fake.lock().rules.push(self.operation, answer, delay);
        Override {
            fake: self.fake,
            id,
        }
    }

    /// Answers with this status and JSON body instead of the fake's.
    pub fn reply(self, status: u16, body: impl serde::Serialize) -> Override<'a> {
        self.install(Some(Reply::json(status, body)), Duration::ZERO)
    }

    /// Answers with this status and HeyGen's error envelope (the code
    /// HeyGen uses for it: `invalid_parameter`, `not_found`,
    /// `rate_limit_exceeded`, `internal_error`, ...); a status below 400
    /// answers `{"data": {}}`.
    pub fn status(self, status: u16) -> Override<'a> {
        let reply = if status >= 400 {
            let message = format!("scripted {status} for {}", self.operation);
            error_reply(status, code_for(status), &message)
        } else {
            Reply::json(status, serde_json::json!({"data": {}}))
        };
        self.install(Some(reply), Duration::ZERO)
    }

    /// Answers with any [`Reply`]: raw bytes, a connection closed without
    /// an answer ([`Reply::Close`]), one that never answers
    /// ([`Reply::Stall`]).
    pub fn respond(self, reply: Reply) -> Override<'a> {
        self.install(Some(reply), Duration::ZERO)
    }

    /// Answers as usual, after waiting this long (on tokio's clock, so a
    /// paused clock skips it).
    pub fn delay(self, delay: Duration) -> Override<'a> {
        self.install(None, delay)
    }
}

/// A rule installed by [`FakeHeyGen::on`]: in force until its uses run
/// out ([`times`](Self::times)) or it is [`remove`](Self::remove)d.
///
/// Several rules on one operation apply in the order they were made, each
/// until its uses run out: `.status(503).times(2)` then `.reply(..)`
/// answers two 503s, then the reply.
#[derive(Debug)]
pub struct Override<'a> {
    fake: &'a FakeHeyGen,
    id: u64,
}

impl Override<'_> {
    fn edit(&self, change: impl FnOnce(&mut Rule)) {
        if let Some(rule) = self.fake.lock().rules.get(self.id) {
            change(rule);
        }
    }

    /// Applies to the next `n` requests only; then the fake answers as
    /// usual (or the next rule does).
    pub fn times(self, n: u32) -> Self {
        self.edit(|r| r.remaining = Some(n));
        self
    }

    /// Adds a header to the scripted reply (no effect on
    /// [`On::delay`], which answers as usual).
    pub fn header(self, name: &str, value: &str) -> Self {
        self.edit(|r| r.answer = r.answer.take().map(|a| a.header(name, value)));
        self
    }

    /// Waits this long before answering.
    pub fn delay(self, delay: Duration) -> Self {
        self.edit(|r| r.delay = delay);
        self
    }

    /// How many requests it has answered.
    pub fn hits(&self) -> u32 {
        let mut state = self.fake.lock();
        state.rules.get(self.id).map_or(0, |r| r.hits)
    }

    /// Takes the rule out: the fake answers as usual again.
    pub fn remove(self) {
        self.fake.lock().rules.rules.retain(|r| r.id != self.id);
    }
}

impl Rules {
    /// Takes every rule out.
    pub(super) fn clear(&mut self) {
        self.rules.clear();
    }
}

/// The JSON of a scripted reply, for the exchange log.
pub(super) fn json_of(reply: &Reply) -> (u16, Option<serde_json::Value>) {
    match reply {
        Reply::Http {
            status,
            headers,
            body,
        } => {
            let json = headers
                .iter()
                .any(|(n, v)| n == "content-type" && v.contains("json"))
                .then(|| serde_json::from_slice(body).ok())
                .flatten();
            (*status, json)
        }
        // Closed or stalled: no status was sent.
        _ => (0, None),
    }
}
