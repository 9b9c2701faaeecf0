//! `cargo run --example paginate`: three ways through a paginated list.

pub mod common;

use common::{Env, Out, Result};
use futures::{StreamExt, TryStreamExt};
use heygen_api_ext::prelude::*;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::main(run).await
}

pub async fn run(env: Env, out: Out) -> Result<()> {
    let conn = common::connect(&env, &out, |fake| fake.sessions(45)).await?;
    let client = &conn.client;

    // 1. Page by page, as HeyGen sends them.
    let mut pages = client.list_video_agent_sessions().limit(20).pages();
    let mut n = 0;
    while let Some(page) = pages.try_next().await? {
        n += 1;
        out.line(format!(
            "page {n}: {} sessions, more: {}",
            page.items.len(),
            page.has_more.unwrap_or(false)
        ));
    }

    // 2. Item by item, stopping early: later pages are never fetched.
    let first: Vec<_> = client
        .list_video_agent_sessions()
        .limit(10)
        .items()
        .take(15)
        .try_collect()
        .await?;
    out.line(format!("the first {} sessions, newest first", first.len()));

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
    out.line(format!("{total} sessions in all"));
    Ok(())
}
