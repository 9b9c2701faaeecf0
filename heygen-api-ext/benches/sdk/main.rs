//! What the SDK costs on top of HTTP, measured against the floor in one run:
//! `cargo bench -p heygen-api-ext`. Prints markdown tables (BENCHMARKS.md
//! holds a copy). Every figure is a ratio of two measurements taken in the
//! same process against the same loopback hyper server, interleaved, so
//! machine noise hits both sides alike.
//!
//! Under `cargo test --benches` (or `--all-targets`) the binary is run
//! without `--bench`; it then only says so and exits: it is compiled by CI,
//! not run.

mod server;
mod walk;

use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use heygen_api_ext::Client;
use heygen_api_ext::types::{VideoPage, VideoResponse};
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use server::{Behavior, Server};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("heygen-api-ext bench: not run (it runs under `cargo bench -p heygen-api-ext`)");
        return;
    }
    // `cargo bench -p heygen-api-ext -- overhead` runs one section.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    // The overhead runs the client on one thread (the server has the other
    // core): its throughput is then the client's cost per call, and the
    // thread's CPU time can be read exactly.
    let one_thread = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let two_threads = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    println!(
        "heygen-api-ext benchmarks ({} cores, release build, loopback hyper server on its own thread)\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    // The per-call figures first, before the other sections have grown the
    // heap and started their server threads.
    if wanted("overhead") {
        one_thread.block_on(overhead());
    }
    if wanted("breakdown") {
        one_thread.block_on(breakdown());
    }
    if wanted("pagination") {
        two_threads.block_on(walk::pagination());
    }
    if wanted("memory") {
        two_threads.block_on(walk::memory());
    }
    if wanted("decode") {
        two_threads.block_on(decode());
    }
    // Not part of a full run: one way alone at 64 tasks for a few seconds,
    // to be recorded with `perf record` (BENCHMARKS.md, section 1c).
    for way in ["profile-bare", "profile-sdk"] {
        if only.iter().any(|o| o == way) {
            one_thread.block_on(profile(way == "profile-sdk"));
        }
    }
}

/// Calls `get_video` from 64 tasks for about five seconds, through the SDK
/// or bare reqwest only.
async fn profile(sdk: bool) {
    let server = Server::start(Behavior::Fixed {
        body: server::video_response(),
        chunked: false,
    });
    let way = if sdk {
        sdk_get_video(sdk_client(&server.base_url))
    } else {
        let url: Arc<str> = format!("{}/v3/videos/v00000042", server.base_url).into();
        bare_get_video(bare_client(), url)
    };
    let started = Instant::now();
    let mut calls = 0;
    while started.elapsed() < Duration::from_secs(5) {
        throughput(64, 64 * 16, &way).await;
        calls += 64 * 16;
    }
    println!(
        "{}: {calls} calls in {:.1} s",
        if sdk { "SDK" } else { "bare reqwest" },
        started.elapsed().as_secs_f64()
    );
}

/// CPU time this thread has used (its `schedstat`, in nanoseconds): what
/// the client's work costs, whatever else runs on the machine.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    Duration::from_nanos(
        stat.split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    )
}

fn sdk_client(base_url: &str) -> Client {
    Client::builder()
        .api_key("sk-bench-key")
        .base_url(base_url)
        .build()
        .expect("client")
}

/// The floor: reqwest configured with the same credential header and
/// user agent as the SDK's, sending the request the generated code sends.
fn bare_client() -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert("x-api-key", HeaderValue::from_static("sk-bench-key"));
    reqwest_builder()
        .default_headers(headers)
        .user_agent(USER_AGENT)
        .build()
        .expect("reqwest client")
}

/// `reqwest::Client::builder()` with a TLS config: reqwest is compiled
/// without a crypto provider (the SDK hands its own client rustls with
/// `ring`), and would panic building a client without one. The server is
/// plain HTTP on loopback: no CA root is needed.
fn reqwest_builder() -> reqwest::ClientBuilder {
    use tokio_rustls::rustls;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder().tls_backend_preconfigured(tls)
}

/// What the SDK sends as `User-Agent`.
const USER_AGENT: &str = concat!("heygen-rs/", env!("CARGO_PKG_VERSION"));

async fn bare_get<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str) -> T {
    let resp = http
        .get(url)
        .header(ACCEPT, "application/json")
        .header("api-version", "1.0.0")
        .send()
        .await
        .expect("bare request");
    assert_eq!(resp.status(), 200);
    let body = resp.bytes().await.expect("bare body");
    serde_json::from_slice(&body).expect("bare decode")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// One way of making the call under test.
type Call = Arc<dyn Fn() -> futures::future::BoxFuture<'static, ()> + Send + Sync>;

fn call<F, Fut>(f: F) -> Call
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Arc::new(move || Box::pin(f()))
}

/// A throughput measurement.
#[derive(Clone, Copy)]
struct Rate {
    /// Calls per second, wall clock.
    per_sec: f64,
    /// CPU microseconds per call of the (single) client thread.
    cpu_us: f64,
}

/// Runs `calls` calls spread over `tasks` tasks, on the current-thread
/// runtime.
async fn throughput(tasks: usize, calls: usize, call: &Call) -> Rate {
    let per_task = calls / tasks;
    let cpu = thread_cpu();
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    call().await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await.expect("task");
    }
    let n = (per_task * tasks) as f64;
    Rate {
        per_sec: n / started.elapsed().as_secs_f64(),
        cpu_us: (thread_cpu() - cpu).as_secs_f64() * 1e6 / n,
    }
}

/// What [`compare`] found for one way of calling.
struct Compared {
    /// Median calls per second.
    per_sec: f64,
    /// Median over rounds of (reference calls/s / this way's).
    ratio: f64,
    /// Median CPU microseconds per call.
    cpu_us: f64,
    /// Median over rounds of (this way's CPU per call / reference's).
    cpu_ratio: f64,
}

/// Throughput of each of `ways` (the first is the reference), in many short
/// rounds that run every way once, in rotating order. Ratios are taken
/// within a round, then the median over rounds: a burst of load from
/// elsewhere on the machine spoils a round, not the figure.
async fn compare(tasks: usize, calls: usize, rounds: usize, ways: &[Call]) -> Vec<Compared> {
    for way in ways {
        // Warm the pools (one connection per task).
        throughput(tasks, tasks * 10, way).await;
    }
    let mut rates = vec![Vec::new(); ways.len()];
    for round in 0..rounds {
        for k in 0..ways.len() {
            let i = (round + k) % ways.len();
            rates[i].push(throughput(tasks, calls, &ways[i]).await);
        }
    }
    let reference = &rates[0];
    rates
        .iter()
        .map(|r| Compared {
            per_sec: median(r.iter().map(|x| x.per_sec).collect()),
            ratio: median(
                reference
                    .iter()
                    .zip(r)
                    .map(|(b, s)| b.per_sec / s.per_sec)
                    .collect(),
            ),
            cpu_us: median(r.iter().map(|x| x.cpu_us).collect()),
            cpu_ratio: median(
                reference
                    .iter()
                    .zip(r)
                    .map(|(b, s)| s.cpu_us / b.cpu_us)
                    .collect(),
            ),
        })
        .collect()
}

fn sdk_get_video(client: Client) -> Call {
    call(move || {
        let client = client.clone();
        async move {
            let v: VideoResponse = client
                .get_video()
                .video_id("v00000042")
                .send()
                .await
                .expect("sdk call")
                .into_inner();
            assert_eq!(v.data.as_ref().map(|d| d.id.as_str()), Some("v00000042"));
            black_box(v);
        }
    })
}

fn bare_get_video(http: reqwest::Client, url: Arc<str>) -> Call {
    call(move || {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let v: VideoResponse = bare_get(&http, &url).await;
            assert_eq!(v.data.as_ref().map(|d| d.id.as_str()), Some("v00000042"));
            black_box(v);
        }
    })
}

/// (1) `client.get_video().video_id(id).send()` vs bare reqwest + serde_json
/// into the same `VideoResponse`.
async fn overhead() {
    const ROUNDS: usize = 41;
    let server = Server::start(Behavior::Fixed {
        body: server::video_response(),
        chunked: false,
    });
    let url: Arc<str> = format!("{}/v3/videos/v00000042", server.base_url).into();
    let ways = [
        bare_get_video(bare_client(), url.clone()),
        sdk_get_video(sdk_client(&server.base_url)),
    ];

    println!("## 1. Per-call overhead: get_video through the SDK vs bare reqwest + serde_json\n");
    println!(
        "| concurrent tasks | bare reqwest (calls/s) | SDK (calls/s) | throughput ratio bare/SDK | goal <= 1.05 | bare CPU/call | SDK CPU/call | CPU ratio SDK/bare |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (tasks, calls) in [(1usize, 400usize), (64, 64 * 16)] {
        let r = compare(tasks, calls, ROUNDS, &ways).await;
        println!(
            "| {tasks} | {:.0} | {:.0} | {:.3} | {} | {:.1} us | {:.1} us | {:.3} |",
            r[0].per_sec,
            r[1].per_sec,
            r[1].ratio,
            verdict(r[1].ratio <= 1.05),
            r[0].cpu_us,
            r[1].cpu_us,
            r[1].cpu_ratio,
        );
    }
    println!(
        "\n(client on one thread, server on another; {ROUNDS} interleaved rounds, ratios taken within a round, medians shown; > 1 means the SDK costs more)\n"
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// (4) One large page (10,000 videos, about 5 MB) decoded through the SDK,
/// through bare reqwest, and by serde_json alone from memory.
async fn decode() {
    const VIDEOS: usize = 10_000;
    const ROUNDS: usize = 15;
    let body = Bytes::from(server::page(0, VIDEOS, VIDEOS));
    let sized = Server::start(Behavior::Fixed {
        body: body.clone(),
        chunked: false,
    });
    let chunked = Server::start(Behavior::Fixed {
        body: body.clone(),
        chunked: true,
    });
    let bare = bare_client();

    let check = |p: &VideoPage| {
        assert_eq!(p.data.len(), VIDEOS);
        assert_eq!(p.data[VIDEOS - 1].id, format!("v{:08}", VIDEOS - 1));
    };
    let serde_alone = {
        let mut t = Vec::new();
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let p: VideoPage = serde_json::from_slice(black_box(&body)).expect("decode");
            t.push(started.elapsed().as_secs_f64());
            check(&p);
            drop(black_box(p));
        }
        median(t)
    };
    let mut rows = Vec::new();
    for (label, srv) in [("content-length", &sized), ("chunked", &chunked)] {
        let sdk = sdk_client(&srv.base_url);
        let url = format!("{}/v3/videos", srv.base_url);
        // Warm both.
        check(&sdk.list_videos().send().await.expect("sdk").into_inner());
        check(&bare_get::<VideoPage>(&bare, &url).await);
        let (mut s, mut b) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            for side in [round % 2, 1 - round % 2] {
                let started = Instant::now();
                let page: VideoPage = if side == 0 {
                    sdk.list_videos().send().await.expect("sdk").into_inner()
                } else {
                    bare_get(&bare, &url).await
                };
                let took = started.elapsed().as_secs_f64();
                check(&page);
                drop(black_box(page));
                if side == 0 {
                    s.push(took)
                } else {
                    b.push(took)
                }
            }
        }
        rows.push((label, median(s), median(b)));
    }

    println!(
        "## 4. Decoding one large list page: {VIDEOS} videos, {:.1} MB\n",
        body.len() as f64 / 1e6
    );
    println!(
        "| body framing | serde_json alone (from memory) | bare reqwest + serde_json | SDK list_videos().send() | SDK / bare | SDK / serde_json alone |"
    );
    println!("|---|---|---|---|---|---|");
    for (label, s, b) in rows {
        println!(
            "| {label} | {:.2} ms | {:.2} ms | {:.2} ms | {:.3} | {:.3} |",
            serde_alone * 1e3,
            b * 1e3,
            s * 1e3,
            s / b,
            s / serde_alone
        );
    }
    println!(
        "\n(medians of {ROUNDS} interleaved rounds; the HTTP columns include the loopback transfer)"
    );
}

/// (1b) Where the per-call overhead goes: the SDK against the generated
/// client alone, a pass-through transport, and reqwest with a timeout.
async fn breakdown() {
    let server = Server::start(Behavior::Fixed {
        body: server::video_response(),
        chunked: false,
    });
    let url: Arc<str> = format!("{}/v3/videos/v00000042", server.base_url).into();
    // reqwest as the SDK configures it: credential header and user agent.
    let http = || {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("sk-bench-key"));
        reqwest_builder()
            .default_headers(headers)
            .user_agent(USER_AGENT)
    };
    let generated = |inner: heygen_api::hooks::TransportSlot| {
        let c =
            heygen_api::Client::new_with_client(&server.base_url, http().build().unwrap(), inner);
        call(move || {
            let c = c.clone();
            async move {
                black_box(
                    c.get_video()
                        .video_id("v00000042")
                        .send()
                        .await
                        .expect("call"),
                );
            }
        })
    };
    let sdk = || {
        Client::builder()
            .api_key("sk-bench-key")
            .base_url(&server.base_url)
    };
    let ways = [
        ("bare reqwest", bare_get_video(bare_client(), url.clone())),
        (
            "bare reqwest, 120 s timeout",
            bare_get_video(
                http().timeout(Duration::from_secs(120)).build().unwrap(),
                url.clone(),
            ),
        ),
        (
            "generated client, no transport",
            generated(heygen_api::hooks::TransportSlot::plain()),
        ),
        (
            "generated client, pass-through transport",
            generated(heygen_api::hooks::TransportSlot::new(Arc::new(Passthrough))),
        ),
        (
            "SDK without timeouts",
            sdk_get_video(sdk().without_timeouts().build().unwrap()),
        ),
        (
            "SDK, max_retries 0",
            sdk_get_video(sdk().max_retries(0).build().unwrap()),
        ),
        ("SDK (defaults)", sdk_get_video(sdk().build().unwrap())),
    ];
    let (names, ways): (Vec<&str>, Vec<Call>) = ways.into_iter().unzip();
    println!("## 1b. Where the per-call overhead goes (get_video, same harness as 1)\n");
    println!(
        "| concurrent tasks | client | calls/s | throughput ratio bare/this | CPU/call | CPU ratio this/bare |"
    );
    println!("|---|---|---|---|---|---|");
    for (tasks, calls) in [(1usize, 400usize), (64, 64 * 12)] {
        let r = compare(tasks, calls, 21, &ways).await;
        for (name, c) in names.iter().zip(r) {
            println!(
                "| {tasks} | {name} | {:.0} | {:.3} | {:.1} us | {:.3} |",
                c.per_sec, c.ratio, c.cpu_us, c.cpu_ratio
            );
        }
    }
    println!();
}

/// A transport that only sends: what the hook seam itself costs.
struct Passthrough;

impl heygen_api::hooks::Transport for Passthrough {
    fn prepare(
        &self,
        _: &mut reqwest::Request,
        _: Option<&'static heygen_api::facts::Operation>,
    ) -> Result<(), String> {
        Ok(())
    }

    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _: Option<&'static heygen_api::facts::Operation>,
    ) -> heygen_api::hooks::BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(client.execute(request))
    }
}
