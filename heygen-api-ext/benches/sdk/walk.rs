//! Sections 2 and 3: walking a list with `.items()`, against the clock
//! and in memory.

use std::time::{Duration, Instant};

use futures::StreamExt;
use heygen_api_ext::Client;
use heygen_api_ext::prelude::*;

use crate::server::{Behavior, Server};
use crate::{median, ms, sdk_client, verdict};

/// Walks `client.list_videos().limit(100).items()`, spending `work` after
/// each page's worth of items; checks every id arrives, in order.
async fn walk(
    client: &Client,
    ahead: usize,
    expected: usize,
    work: Duration,
    consumer: Consumer,
) -> Walk {
    let mut items = client.list_videos().limit(100).items().pages_ahead(ahead);
    let mut n = 0usize;
    let mut busy = Duration::ZERO;
    let mut want = String::new();
    let mut waited = Duration::ZERO;
    loop {
        let t = Instant::now();
        let Some(video) = items.next().await else {
            break;
        };
        waited += t.elapsed();
        let video = video.expect("walk");
        want.clear();
        use std::fmt::Write as _;
        let _ = write!(want, "v{n:08}");
        assert_eq!(video.id, want, "item {n} out of order");
        n += 1;
        if !work.is_zero() && n.is_multiple_of(100) {
            let t = Instant::now();
            match consumer {
                // Work that holds the thread, like parsing or hashing.
                Consumer::Blocking => std::thread::sleep(work),
                // Work that awaits, like a database write; tokio's timer
                // rounds it up to its 1 ms tick.
                Consumer::Awaiting => tokio::time::sleep(work).await,
            }
            busy += t.elapsed();
        }
    }
    assert_eq!(n, expected, "every item, once");
    Walk { busy, waited }
}

/// How a consumer spends its time on each page.
#[derive(Clone, Copy, PartialEq)]
enum Consumer {
    Blocking,
    Awaiting,
}

/// Where a walk's consumer spent its time.
struct Walk {
    /// In its own per-page work.
    busy: Duration,
    /// Waiting in `next()` for items.
    waited: Duration,
}

/// (2) 10,000 items in pages of 100; the server takes 5 ms per page, the
/// consumer 5 ms per page.
pub async fn pagination() {
    let server = Server::start(Behavior::Pages {
        total: 10_000,
        page_delay: Duration::from_millis(5),
    });
    let client = sdk_client(&server.base_url);
    let work = Duration::from_millis(5);
    walk(&client, 1, 10_000, Duration::ZERO, Consumer::Blocking).await; // warm-up
    server.take_busy();

    println!(
        "## 2. Pagination: 10,000 items, pages of 100, server 5 ms/page, consumer 5 ms/page\n"
    );
    println!(
        "| consumer's work | walk | wall | server busy | consumer busy | consumer waiting for items | ideal max(server, consumer) | wall / ideal | sum server + consumer |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    // Ratios of the default walk (1 page ahead) and of 2 ahead, by consumer.
    let mut ratios: [[Vec<f64>; 2]; 2] = Default::default();
    let runs = [
        (Consumer::Blocking, 1),
        (Consumer::Awaiting, 1),
        (Consumer::Blocking, 0),
        (Consumer::Awaiting, 0),
        (Consumer::Blocking, 2),
        (Consumer::Awaiting, 2),
        (Consumer::Blocking, 1),
        (Consumer::Awaiting, 1),
        (Consumer::Blocking, 2),
        (Consumer::Awaiting, 2),
        (Consumer::Blocking, 1),
        (Consumer::Awaiting, 1),
        (Consumer::Blocking, 2),
        (Consumer::Awaiting, 2),
    ];
    for (consumer, ahead) in runs {
        let started = Instant::now();
        let walked = walk(&client, ahead, 10_000, work, consumer).await;
        let wall = started.elapsed();
        let (server_busy, pages) = server.take_busy();
        assert_eq!(pages, 100);
        let ideal = server_busy.max(walked.busy);
        let ratio = wall.as_secs_f64() / ideal.as_secs_f64();
        if ahead > 0 {
            ratios[usize::from(consumer == Consumer::Awaiting)][ahead - 1].push(ratio);
        }
        println!(
            "| {} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {ratio:.3} | {:.0} ms |",
            match consumer {
                Consumer::Blocking => "blocking (thread sleep)",
                Consumer::Awaiting => "awaiting (tokio sleep)",
            },
            match ahead {
                0 => "none (pages_ahead(0))",
                1 => "1 page ahead (default)",
                _ => "2 pages ahead",
            },
            ms(wall),
            ms(server_busy),
            ms(walked.busy),
            ms(walked.waited),
            ms(ideal),
            ms(server_busy + walked.busy),
        );
    }
    println!();
    for (i, consumer) in ["blocking", "awaiting"].iter().enumerate() {
        let [one, two] = ratios[i].clone();
        let (one, two) = (median(one), median(two));
        println!(
            "{consumer} consumer, median wall/ideal: {one:.3} with 1 page ahead (goal <= 1.05: {}), {two:.3} with 2",
            verdict(one <= 1.05)
        );
    }
    println!();
}

/// `VmHWM` and `VmRSS` of this process, in KiB.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// (3) Peak RSS while walking 100,000 and 1,000,000 items.
pub async fn memory() {
    println!("## 3. Memory: peak RSS while walking a list (pages of 100, 1 page ahead)\n");
    println!("| items | pages | wall | RSS before | peak RSS during | peak - before |");
    println!("|---|---|---|---|---|---|");
    let mut growth = Vec::new();
    for total in [100_000usize, 1_000_000] {
        let server = Server::start(Behavior::Pages {
            total,
            page_delay: Duration::ZERO,
        });
        let client = sdk_client(&server.base_url);
        // Warm the connection pool, and let the server thread settle.
        let _ = client
            .list_videos()
            .limit(100)
            .send()
            .await
            .expect("warm-up");
        server.take_busy();
        // Writing 5 to clear_refs resets VmHWM to the current RSS.
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let (_, before) = rss();
        let started = Instant::now();
        walk(&client, 1, total, Duration::ZERO, Consumer::Blocking).await;
        let wall = started.elapsed();
        let (peak, _) = rss();
        let (_, pages) = server.take_busy();
        let grew = peak.saturating_sub(before);
        growth.push(grew);
        println!(
            "| {total} | {pages} | {:.2} s | {} KiB | {} KiB{} | {grew} KiB |",
            wall.as_secs_f64(),
            before,
            peak,
            if reset { "" } else { " (peak of the process)" }
        );
    }
    let (small, large) = (growth[0].max(1), growth[1]);
    println!(
        "\n10x the items, {:.2}x the peak growth (flat: {})\n",
        large as f64 / small as f64,
        verdict(large <= small * 2 + 1024)
    );
}
