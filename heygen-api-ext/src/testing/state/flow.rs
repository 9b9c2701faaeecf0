//! One request's way through the fake: [`State::plan`] (routing, the
//! overrides, an idempotency key already in flight) before any delay, then
//! [`State::execute`] (auth, the spec's query bounds, a replayed
//! idempotent answer, the handler) and the exchange log.

use std::time::Duration;

use super::super::Exchange;
use super::super::http::Reply as HttpReply;
use super::super::overrides::json_of;
use super::request::{Call, FakeRequest, Reply};
use super::router::{self, Miss};
use super::{State, uploads};

/// What to do with a request once its delay, if any, has passed.
pub(in crate::testing) struct Plan {
    /// When it arrived, since the fake started.
    arrived: Duration,
    operation: Option<&'static str>,
    /// How long to wait before answering.
    pub delay: Duration,
    /// An answer decided already (an override's, or `409`).
    answer: Option<HttpReply>,
    /// The idempotency key this request holds while it is answered.
    holds: Option<String>,
}

impl State {
    pub(in crate::testing) fn plan(&mut self, req: &FakeRequest) -> Plan {
        let mut plan = Plan {
            arrived: self.clock.elapsed(),
            operation: None,
            delay: Duration::ZERO,
            answer: None,
            holds: None,
        };
        let Ok(call) = router::find(req) else {
            return plan;
        };
        plan.operation = Some(call.op.id);
        if !self.authorized(req) {
            return plan;
        }
        if let Some(scripted) = self.rules.take(call.op.id) {
            plan.delay = scripted.delay;
            plan.answer = scripted.answer;
        }
        if plan.answer.is_none()
            && let Some(key) = idempotency_key(&call)
        {
            if self.in_flight.contains(&key) {
                let reply = Reply::error(
                    409,
                    "request_in_progress",
                    "A request with this Idempotency-Key is still being processed.",
                    None,
                );
                plan.answer = Some(reply.into_http());
            } else if !plan.delay.is_zero() {
                self.in_flight.insert(key.clone());
                plan.holds = Some(key);
            }
        }
        plan
    }

    pub(in crate::testing) fn execute(&mut self, req: &FakeRequest, plan: Plan) -> HttpReply {
        if let Some(key) = &plan.holds {
            self.in_flight.remove(key);
        }
        let (operation, reply) = match plan.answer {
            Some(answer) => (plan.operation, answer),
            None => {
                let (operation, reply) = self.respond(req);
                (operation, reply.into_http())
            }
        };
        let (status, json) = json_of(&reply);
        self.exchanges.push(Exchange {
            operation_id: operation,
            method: req.method.to_string(),
            path: req.path.clone(),
            request_headers: redacted(req),
            elapsed: plan.arrived,
            status,
            response_body: json,
        });
        let id = format!("req_{}", self.exchanges.len());
        // A scripted reply may carry a request id of its own (a test of
        // what a caller quotes to support): keep it.
        match reply {
            HttpReply::Http { ref headers, .. }
                if headers.iter().any(|(n, _)| n == "x-request-id") =>
            {
                reply
            }
            reply => reply.header("x-request-id", &id),
        }
    }

    /// The fake's own answer: the operation it was, and the reply.
    fn respond(&mut self, req: &FakeRequest) -> (Option<&'static str>, Reply) {
        // The presigned upload URL: storage's, so no API key.
        if let Some(id) = uploads::upload_target(req) {
            return (None, self.receive_upload(&id, req));
        }
        let call = match router::find(req) {
            Ok(call) => call,
            Err(Miss::NoPath) => {
                let message = format!("HeyGen's API has no {} {}", req.method, req.path);
                return (None, Reply::error(404, "not_found", &message, None));
            }
            Err(Miss::Method(allowed)) => {
                let message = format!("{} {} is not allowed", req.method, req.path);
                let mut reply = Reply::error(405, "method_not_allowed", &message, None);
                reply.headers.push(("allow".into(), allowed.join(", ")));
                return (None, reply);
            }
        };
        let op = call.op.id;
        if !self.authorized(req) {
            let message = "Invalid or expired API key. Verify your x-api-key header.";
            return (Some(op), Reply::error(401, "unauthorized", message, None));
        }
        (Some(op), self.answer(&call))
    }

    /// Runs the handler, or replays the answer to the same idempotency key.
    fn answer(&mut self, call: &Call) -> Reply {
        if let Err(reply) = router::check_bounds(call) {
            return reply;
        }
        let key = idempotency_key(call);
        if let Some(stored) = key.as_ref().and_then(|k| self.idempotent.get(k)) {
            let mut replay = stored.clone();
            replay
                .headers
                .push(("idempotent-replayed".into(), "true".into()));
            return replay;
        }
        let Some(handler) = router::handler(call.op.id) else {
            // Every operation has a handler (a unit test checks it).
            let message = format!("the fake has no handler for {}", call.op.id);
            return Reply::error(501, "not_implemented", &message, None);
        };
        let reply = match handler(self, call) {
            Ok(body) => Reply::json(call.op.success_status, body),
            Err(reply) => reply,
        };
        if let Some(key) = key
            && (200..300).contains(&reply.status)
        {
            self.idempotent.insert(key, reply.clone());
        }
        reply
    }

    fn authorized(&self, req: &FakeRequest) -> bool {
        req.header("x-api-key") == Some(self.api_key.as_str())
            || req
                .header("authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                == Some(self.api_key.as_str())
    }
}

/// The key a create's answer is kept under: per operation and path (so
/// per path-parameter value), as HeyGen scopes them.
fn idempotency_key(call: &Call) -> Option<String> {
    if !call.op.idempotency_key {
        return None;
    }
    let key = call.req.header(crate::IDEMPOTENCY_KEY)?;
    Some(format!("{} {} {key}", call.op.id, call.req.path))
}

/// Request headers, credentials replaced by `<redacted>`.
fn redacted(req: &FakeRequest) -> Vec<(String, String)> {
    req.headers
        .iter()
        .map(|(n, v)| {
            let value = if matches!(n.as_str(), "x-api-key" | "authorization") {
                "<redacted>".to_string()
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (n.as_str().to_string(), value)
        })
        .collect()
}
