//! The file a download is written to: a hidden temporary file beside the
//! destination (same directory, so the final rename stays on one file
//! system and is atomic), moved onto the destination only once complete
//! and flushed to disk, and removed otherwise, including when the download
//! is dropped midway.

use std::io;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use crate::Error;

/// Bytes gathered before a write to disk: a file write is a trip to
/// tokio's blocking pool, too costly for each network chunk of a few KiB.
const WRITE_BUFFER: usize = 512 * 1024;

/// How much of the destination's name the temporary file repeats (a name
/// near the file system's limit must still leave room for the suffix).
const NAME_KEPT: usize = 64;

/// A download's file before it is complete.
#[derive(Debug)]
pub(super) struct Partial {
    path: PathBuf,
    file: Option<BufWriter<tokio::fs::File>>,
    /// Whether the temporary file is still there for `Drop` to remove.
    armed: bool,
}

impl Partial {
    /// Creates the temporary file for `dest`, next to it.
    pub(super) async fn create(dest: &Path) -> Result<Partial, Error> {
        let name: String = dest
            .file_name()
            .map(|n| n.to_string_lossy().chars().take(NAME_KEPT).collect())
            .unwrap_or_default();
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let path = directory_of(dest).join(format!(".{name}.{}.part", &unique[..12]));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|source| file_error("create", &path, source))?;
        Ok(Partial {
            path,
            file: Some(BufWriter::with_capacity(WRITE_BUFFER, file)),
            armed: true,
        })
    }

    /// Appends `chunk`.
    pub(super) async fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        let Some(file) = self.file.as_mut() else {
            return Err(file_error("write", &self.path, closed()));
        };
        file.write_all(chunk)
            .await
            .map_err(|source| file_error("write", &self.path, source))
    }

    /// Empties the file, to write it again from the start.
    pub(super) async fn restart(&mut self) -> Result<(), Error> {
        let Some(file) = self.file.as_mut() else {
            return Err(file_error("write", &self.path, closed()));
        };
        let emptied = async {
            file.flush().await?;
            file.get_mut().set_len(0).await?;
            file.seek(io::SeekFrom::Start(0)).await.map(|_| ())
        };
        emptied
            .await
            .map_err(|source| file_error("empty", &self.path, source))
    }

    /// Flushes the file to disk and moves it onto `dest` (replacing what
    /// was there). On failure the temporary file is removed.
    pub(super) async fn keep(mut self, dest: &Path) -> Result<(), Error> {
        let Some(mut file) = self.file.take() else {
            return Err(file_error("write", &self.path, closed()));
        };
        // Renamed only once on disk: a crash right after the rename must
        // not leave a complete-looking file with missing bytes.
        let flushed = async {
            file.flush().await?;
            file.get_mut().sync_all().await
        }
        .await;
        // Closed before the rename, which Windows refuses on an open file.
        drop(file);
        if let Err(source) = flushed {
            let error = file_error("write", &self.path, source);
            self.discard().await;
            return Err(error);
        }
        match tokio::fs::rename(&self.path, dest).await {
            Ok(()) => {
                self.armed = false;
                Ok(())
            }
            Err(source) => {
                let error = file_error("rename onto", dest, source);
                self.discard().await;
                Err(error)
            }
        }
    }

    /// Removes the temporary file.
    pub(super) async fn discard(mut self) {
        // Closed first: Windows does not remove an open file.
        drop(self.file.take());
        if tokio::fs::remove_file(&self.path).await.is_ok() {
            self.armed = false;
        }
    }
}

impl Drop for Partial {
    /// A download dropped midway (its future cancelled) or a failed
    /// removal: the temporary file goes now, blocking briefly, since no
    /// one is left to await an asynchronous removal.
    fn drop(&mut self) {
        if self.armed {
            drop(self.file.take());
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The directory `dest` is in (`.` for a bare file name).
pub(super) fn directory_of(dest: &Path) -> &Path {
    dest.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn file_error(action: &'static str, path: &Path, source: io::Error) -> Error {
    Error::File {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn closed() -> io::Error {
    io::Error::other("the file was already closed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("heygen-partial-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn kept_files_replace_the_destination_and_leave_nothing_else() {
        let dir = scratch();
        let dest = dir.join("out.mp4");
        std::fs::write(&dest, b"old").unwrap();
        let mut partial = Partial::create(&dest).await.unwrap();
        assert_eq!(entries(&dir).len(), 2, "the temporary file sits beside it");
        partial.write(b"new ").await.unwrap();
        partial.write(b"bytes").await.unwrap();
        assert_eq!(
            std::fs::read(&dest).unwrap(),
            b"old",
            "untouched until kept"
        );
        partial.keep(&dest).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new bytes");
        let mut partial = Partial::create(&dest).await.unwrap();
        partial.write(b"a first try").await.unwrap();
        partial.restart().await.unwrap();
        partial.write(b"again").await.unwrap();
        partial.keep(&dest).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"again", "started over");
        assert_eq!(entries(&dir), ["out.mp4"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn discarded_and_dropped_files_are_removed() {
        let dir = scratch();
        let dest = dir.join("out.mp4");
        let mut partial = Partial::create(&dest).await.unwrap();
        partial.write(b"half").await.unwrap();
        partial.discard().await;
        assert!(entries(&dir).is_empty());
        let mut partial = Partial::create(&dest).await.unwrap();
        partial.write(b"half").await.unwrap();
        drop(partial);
        assert!(entries(&dir).is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_missing_directory_is_a_file_error_naming_it() {
        let dest = scratch().join("missing").join("out.mp4");
        let err = Partial::create(&dest).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::File {
                    action: "create",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("missing"), "{err}");
        assert!(err.to_string().contains("writable"), "{err}");
    }

    #[test]
    fn a_bare_name_is_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("out.mp4")), Path::new("."));
        assert_eq!(directory_of(Path::new("a/out.mp4")), Path::new("a"));
    }
}
