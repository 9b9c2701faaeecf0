//! `cargo run --example upload-asset [FILE]`: upload a file as an asset,
//! with progress, both ways HeyGen takes files. Without FILE it uploads a
//! small generated one. Offline against the SDK's fake HeyGen unless
//! `HEYGEN_API_KEY` is set.

use std::path::PathBuf;

use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::{Client, UploadProgress};

/// Prints a line per quarter of the file, not per chunk.
fn progress(label: &'static str) -> impl Fn(UploadProgress) + Send + Sync + 'static {
    let reported = std::sync::atomic::AtomicU64::new(0);
    move |p: UploadProgress| {
        let quarter = p.sent * 4 / p.total.max(1);
        let last = reported.swap(quarter, std::sync::atomic::Ordering::Relaxed);
        if quarter > last || p.sent == p.total {
            println!("  {label}: {} of {} bytes", p.sent, p.total);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeHeyGen::builder().start_unless_api_key().await?;
    let client = match &fake {
        Some(fake) => fake.client()?,
        None => Client::from_env()?,
    };
    let given = std::env::args().nth(1).map(PathBuf::from);
    let path = given
        .clone()
        .unwrap_or(std::env::temp_dir().join("heygen-sample.wav"));
    if given.is_none() {
        std::fs::write(&path, vec![0u8; 300 * 1024])?;
    }

    // Up to 32 MB: one multipart request.
    let upload = client.upload_asset(path.as_path());
    let small = upload.on_progress(progress("multipart")).send().await?;
    let (mime, size, id) = (&small.mime_type, small.size_bytes, &small.asset_id);
    println!(
        "uploaded {} ({mime}, {size} bytes) as asset {id}",
        path.display()
    );

    // Any size: announce, PUT to the presigned URL, complete.
    let upload = client.upload_asset_direct(path.as_path());
    let large = upload.on_progress(progress("direct")).send().await?;
    println!(
        "direct upload: asset {} is {}",
        large.asset_id, large.status
    );
    if given.is_none() {
        std::fs::remove_file(&path)?;
    }
    Ok(())
}
