//! The contract tests' loopback server: `heygen_api_ext::testing`'s
//! scripted server (each request recorded byte for byte, the target as
//! sent so percent-encoding can be checked), with the test key and a
//! client that does not retry.

use heygen_api_ext::testing::ScriptedServer;
pub use heygen_api_ext::testing::{RecordedRequest as Recorded, Reply};

/// The API key every test client sends.
pub const API_KEY: &str = "sk-contract-test-key";

/// The server; it lives as long as the test's runtime.
pub struct Server {
    scripted: ScriptedServer,
}

impl Server {
    /// Starts a server with an empty script.
    pub async fn start() -> Server {
        let scripted = ScriptedServer::start([])
            .await
            .expect("bind a loopback port");
        Server { scripted }
    }

    /// Queues the reply to the next request.
    pub fn push(&self, reply: Reply) {
        self.scripted.push([reply]);
    }

    /// Removes and returns the requests recorded so far.
    pub fn take_requests(&self) -> Vec<Recorded> {
        self.scripted.take_requests()
    }

    /// A client of this server: the test API key, no retries (an error
    /// status comes straight back), a generous timeout.
    pub fn client(&self) -> heygen_api_ext::Client {
        self.scripted
            .client_builder()
            .api_key(API_KEY)
            .max_retries(0)
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("a loopback client builds")
    }
}
