//! Waiting for the video a video agent session makes: follow the session
//! until it names its video, then the video until it is done, on one
//! schedule and within one budget.

use heygen_api::types;

use super::kinds::{self, Outcome};
use super::{Schedule, Wait, follow};
use crate::{Client, Error};

/// A video agent session to take the video of: its id, and its video's id
/// when already known. Made from a session id (`&str`, `String`), from the
/// answer of `createVideoAgentSession`, or from a fetched session, so that
/// [`Client::wait_for_agent_video`] takes whichever you have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSession {
    session_id: String,
    video_id: Option<String>,
}

impl AgentSession {
    /// A session by its id; its video is found by polling it.
    pub fn new(session_id: impl Into<String>) -> Self {
        AgentSession {
            session_id: session_id.into(),
            video_id: None,
        }
    }

    /// The session's id.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The session's video, when known.
    pub fn video_id(&self) -> Option<&str> {
        self.video_id.as_deref()
    }

    fn with_video(session_id: &str, video_id: Option<&String>) -> Self {
        AgentSession {
            session_id: session_id.to_string(),
            // An empty id names no video: find it through the session.
            video_id: video_id.filter(|v| !v.trim().is_empty()).cloned(),
        }
    }
}

impl From<&str> for AgentSession {
    fn from(session_id: &str) -> Self {
        AgentSession::new(session_id)
    }
}

impl From<String> for AgentSession {
    fn from(session_id: String) -> Self {
        AgentSession::new(session_id)
    }
}

impl From<&String> for AgentSession {
    fn from(session_id: &String) -> Self {
        AgentSession::new(session_id.as_str())
    }
}

impl From<&types::CreatedVideoAgentSession> for AgentSession {
    fn from(created: &types::CreatedVideoAgentSession) -> Self {
        AgentSession::with_video(&created.session_id, created.video_id.as_ref())
    }
}

impl From<types::CreatedVideoAgentSession> for AgentSession {
    fn from(created: types::CreatedVideoAgentSession) -> Self {
        AgentSession::from(&created)
    }
}

impl From<&types::VideoAgentSession> for AgentSession {
    fn from(session: &types::VideoAgentSession) -> Self {
        AgentSession::with_video(&session.session_id, session.video_id.as_ref())
    }
}

/// Follows `session` to its video, then the video to its end.
async fn agent_video(
    client: &Client,
    session: AgentSession,
    schedule: &mut Schedule,
) -> Result<types::Video, Error> {
    let video_id = match session.video_id {
        Some(video_id) => video_id,
        None => {
            let kind = kinds::video_agent_session();
            let id = session.session_id;
            // A session paused for input (chat mode) is not an end here:
            // its video comes once someone answers it, so the wait goes
            // on, and the callback shows the pause.
            follow(client, &kind, &id, schedule, |s, outcome| match outcome {
                Outcome::Failed { code, message } => {
                    Some(Err(kinds::job_failed(kind.name, &id, code, message)))
                }
                _ => s.video_id.filter(|v| !v.trim().is_empty()).map(Ok),
            })
            .await?
        }
    };
    let kind = kinds::video();
    follow(client, &kind, &video_id, schedule, |video, outcome| {
        outcome.settle(kind.name, &video_id, video)
    })
    .await
}

impl Client {
    /// Waits for the video a video agent session makes: polls the session
    /// until it names its `video_id` (at once when `session` already does,
    /// as `createVideoAgentSession`'s answer usually does), then the video
    /// until it is `completed`, as [`wait_for_video`](Self::wait_for_video)
    /// does. One budget ([`WaitOptions::timeout`](super::WaitOptions::timeout))
    /// covers both; [`Error::WaitTimeout`] names the session or the video,
    /// whichever was still going. A failed session or video is
    /// [`Error::JobFailed`].
    ///
    /// ```
    /// use heygen_api_ext::prelude::*;
    /// use heygen_api_ext::types::CreateVideoAgentSessionRequest;
    /// # use std::time::Duration;
    /// # use heygen_api_ext::testing::FakeHeyGen;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let fake = FakeHeyGen::builder().job_duration(Duration::from_secs(1)).start().await?;
    /// # let client = fake.client()?;
    /// let request = CreateVideoAgentSessionRequest::builder().prompt("A 30 second intro to Rust");
    /// let created = client.create_video_agent_session().body(request).data().await?;
    ///
    /// // The answer itself (it names the video), or just its session id.
    /// let video = client.wait_for_agent_video(&created).await?;
    /// println!("{}", video.video_url.unwrap_or_default());
    /// # assert_eq!(Some(video.id), created.video_id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_agent_video(&self, session: impl Into<AgentSession>) -> Wait<'_, types::Video> {
        let session = session.into();
        let id = session.session_id.clone();
        Wait::staged(
            self,
            id,
            "video agent session",
            move |client, _, options| {
                Box::pin(async move {
                    let mut schedule = Schedule::start(options)?;
                    agent_video(client, session, &mut schedule).await
                })
            },
        )
    }
}
