//! What the examples share: choosing the real API or the built-in fake,
//! and printing (captured when the examples run as tests).

#![allow(dead_code)] // each example uses part of it

use std::future::Future;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use heygen_api_ext::testing::{FakeHeyGen, FakeHeyGenBuilder};
use heygen_api_ext::{Client, WaitOptions};

/// Errors an example stops on.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Looks an environment variable up.
type Lookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where an example reads its settings.
pub struct Env {
    var: Lookup,
    /// Command-line arguments after the program name.
    pub args: Vec<String>,
}

impl Env {
    /// The process's environment and arguments.
    pub fn from_process() -> Env {
        Env {
            var: Box::new(|name| std::env::var(name).ok()),
            args: std::env::args().skip(1).collect(),
        }
    }

    /// No variables set: the examples run against the fake.
    pub fn offline(args: &[&str]) -> Env {
        Env {
            var: Box::new(|_| None),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// These variables only (tests point an example at a fake of their
    /// own through `HEYGEN_BASE_URL`).
    pub fn with_vars(vars: &[(&str, &str)]) -> Env {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env {
            var: Box::new(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())),
            args: Vec::new(),
        }
    }

    pub fn var(&self, name: &str) -> Option<String> {
        (self.var)(name).filter(|v| !v.trim().is_empty())
    }
}

/// Lines an example prints; kept, so tests can read them.
#[derive(Clone, Default)]
pub struct Out {
    lines: Arc<Mutex<Vec<String>>>,
    echo: bool,
}

impl Out {
    /// Prints to stdout as well as keeping the lines.
    pub fn stdout() -> Out {
        Out {
            lines: Arc::default(),
            echo: true,
        }
    }

    /// Keeps the lines only.
    pub fn captured() -> Out {
        Out::default()
    }

    pub fn line(&self, line: impl Into<String>) {
        let line = line.into();
        if self.echo {
            println!("{line}");
        }
        self.lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(line);
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// What an example talks to.
pub struct Connection {
    pub client: Client,
    /// The fake, when there was no API key; dropped last, it stops.
    pub fake: Option<FakeHeyGen>,
}

impl Connection {
    /// Polling suited to the backend: HeyGen's defaults for real renders,
    /// quick polls for the fake's seconds-long jobs.
    pub fn wait_options(&self) -> WaitOptions {
        if self.fake.is_some() {
            WaitOptions {
                initial_delay: Duration::from_millis(500),
                max_delay: Duration::from_secs(1),
                ..WaitOptions::default()
            }
        } else {
            WaitOptions::default()
        }
    }
}

/// The real API when `HEYGEN_API_KEY` is set (at `HEYGEN_BASE_URL` or
/// api.heygen.com), else a fake HeyGen started here, set up by `fake`.
/// The first line printed says which.
pub async fn connect(
    env: &Env,
    out: &Out,
    fake: impl FnOnce(FakeHeyGenBuilder) -> FakeHeyGenBuilder,
) -> Result<Connection> {
    if env.var("HEYGEN_API_KEY").is_some() {
        let client = Client::builder_from(|name| env.var(name))?.build()?;
        out.line(format!("Using HeyGen at {}", client.base_url()));
        return Ok(Connection { client, fake: None });
    }
    let server = fake(FakeHeyGen::builder()).start().await?;
    out.line(format!(
        "No HEYGEN_API_KEY set: using the built-in fake HeyGen server at {} (export HEYGEN_API_KEY to talk to the real API)",
        server.base_url()
    ));
    let client = server.client()?;
    Ok(Connection {
        client,
        fake: Some(server),
    })
}

/// Runs an example's body with the process's settings; exit 1 on error.
pub async fn main<F, Fut>(body: F) -> ExitCode
where
    F: FnOnce(Env, Out) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    match body(Env::from_process(), Out::stdout()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
