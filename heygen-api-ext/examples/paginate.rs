//! `cargo run --example paginate`: three ways through a paginated list.
//! Offline against the SDK's fake HeyGen unless `HEYGEN_API_KEY` is set.

use futures::{StreamExt, TryStreamExt};
use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::FakeHeyGen;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeHeyGen::builder()
        .sessions(45)
        .start_unless_api_key()
        .await?;
    let client = match &fake {
        Some(fake) => fake.client()?,
        None => Client::from_env()?,
    };

    // 1. Page by page, as HeyGen sends them.
    let mut pages = client.list_video_agent_sessions().limit(20).pages();
    let mut n = 0;
    while let Some(page) = pages.try_next().await? {
        n += 1;
        let more = page.has_more.unwrap_or(false);
        println!("page {n}: {} sessions, more: {more}", page.items.len());
    }

    // 2. Item by item, stopping early: later pages are never fetched.
    let first: Vec<_> = client
        .list_video_agent_sessions()
        .limit(10)
        .items()
        .take(15)
        .try_collect()
        .await?;
    println!("the first {} sessions, newest first", first.len());

    // 3. By hand, with the cursor: what the streams do for you.
    let mut token: Option<String> = None;
    let mut total = 0;
    loop {
        let mut request = client.list_video_agent_sessions().limit(50);
        if let Some(t) = token.take() {
            request = request.token(t);
        }
        let page = request.send().await?.into_inner();
        total += page.data.len();
        match (page.has_more, page.next_token) {
            (Some(true), Some(next)) => token = Some(next),
            _ => break,
        }
    }
    println!("{total} sessions in all");
    Ok(())
}
