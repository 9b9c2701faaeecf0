//! `cargo run --example upload-asset [FILE]`: upload a file as an asset,
//! with progress, both ways HeyGen takes files. Without FILE it uploads a
//! small generated one.

pub mod common;

use common::{Env, Out, Result};
use heygen_api_ext::UploadProgress;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::main(run).await
}

fn progress(out: &Out, label: &'static str) -> impl Fn(UploadProgress) + Send + Sync + 'static {
    let out = out.clone();
    let reported = std::sync::Mutex::new(0u64);
    move |p: UploadProgress| {
        // A line per quarter, not per chunk.
        let quarter = p.sent * 4 / p.total.max(1);
        let mut last = reported.lock().unwrap_or_else(|e| e.into_inner());
        if quarter > *last || p.sent == p.total {
            *last = quarter;
            out.line(format!("  {label}: {} of {} bytes", p.sent, p.total));
        }
    }
}

pub async fn run(env: Env, out: Out) -> Result<()> {
    let conn = common::connect(&env, &out, |fake| fake).await?;
    let client = &conn.client;

    let (path, _cleanup) = match env.args.first() {
        Some(p) => (std::path::PathBuf::from(p), None),
        None => {
            let dir = std::env::temp_dir().join(format!("heygen-example-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir)?;
            let path = dir.join("sample.wav");
            std::fs::write(&path, vec![0u8; 300 * 1024])?;
            (path, Some(RemoveDir(dir)))
        }
    };

    // Up to 32 MB: one multipart request.
    let small = client
        .upload_asset(path.as_path())
        .on_progress(progress(&out, "multipart"))
        .send()
        .await?;
    out.line(format!(
        "uploaded {} ({}, {} bytes) as asset {}",
        path.display(),
        small.mime_type,
        small.size_bytes,
        small.asset_id
    ));

    // Any size: announce, PUT to the presigned URL, complete.
    let large = client
        .upload_asset_direct(path.as_path())
        .on_progress(progress(&out, "direct"))
        .send()
        .await?;
    out.line(format!(
        "direct upload: asset {} is {}",
        large.asset_id, large.status
    ));
    Ok(())
}

/// Removes the generated sample when done.
struct RemoveDir(std::path::PathBuf);

impl Drop for RemoveDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
