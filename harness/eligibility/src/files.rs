//! The edge that writes result files and answers requests on disk.
//!
//! Folders under one root: `req/` (requests from the receipt system), `res/` (answers), `face/`
//! (card-check results written unasked). Every file is written to a temporary name in the same
//! folder (`.<final name>.tmp-<pid>-<n>`, which never ends in `.xml`), fsynced, then renamed (or,
//! for card-check results, hard-linked so an existing file is never replaced) and the folder
//! fsynced: a reader polling the folder never sees a partial file under a final name.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDateTime;

use crate::request::RequestResponder;
use crate::result_render::render_result_xml;
use crate::result_xml::{ResultFileOptions, ResultMessage};
use crate::service::CheckOutcome;

/// Requests from the receipt system.
pub const REQ_DIR: &str = "req";
/// Answers to requests.
pub const RES_DIR: &str = "res";
/// Card-check results.
pub const FACE_DIR: &str = "face";

const REQUEST_PREFIX: &str = "OQSsiquc01req_";
const RESPONSE_PREFIX: &str = "OQSsiquc01res_";
const CARD_CHECK_PREFIX: &str = "OQSsiquc01res_face_";
const TEMP_MARKER: &str = ".tmp-";

/// Linux errno values for a full disk and an exceeded quota.
const ENOSPC: i32 = 28;
const EDQUOT: i32 = 122;

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The folder does not exist (or is not a folder).
    #[error("result folder {0} is missing")]
    FolderMissing(PathBuf),
    /// No space left on the device (or the quota is exhausted); nothing was left behind.
    #[error("disk full while writing {path}")]
    DiskFull {
        /// The file being written.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A card-check result with this name exists already; it was not replaced.
    #[error("result file {0} exists already")]
    AlreadyExists(PathBuf),
    /// The id cannot be part of a file name (only ASCII letters, digits, `-` and `_`).
    #[error("bad file id {0:?}")]
    BadFileId(String),
    /// Another I/O error.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

fn classify(path: &Path, source: io::Error) -> WriteError {
    match source.raw_os_error() {
        Some(ENOSPC) | Some(EDQUOT) => WriteError::DiskFull {
            path: path.to_owned(),
            source,
        },
        _ => WriteError::Io {
            path: path.to_owned(),
            source,
        },
    }
}

fn check_id(id: &str) -> Result<(), WriteError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(WriteError::BadFileId(id.to_owned()))
    }
}

/// `OQSsiquc01res_face_<id>_<yyyyMMddHHmmss>.xml`
pub fn card_check_file_name(id: &str, at: NaiveDateTime) -> Result<String, WriteError> {
    check_id(id)?;
    Ok(format!(
        "{CARD_CHECK_PREFIX}{id}_{}.xml",
        at.format("%Y%m%d%H%M%S")
    ))
}

/// `OQSsiquc01res_<id>.xml`
pub fn response_file_name(id: &str) -> Result<String, WriteError> {
    check_id(id)?;
    Ok(format!("{RESPONSE_PREFIX}{id}.xml"))
}

/// `OQSsiquc01req_<id>.xml`
pub fn request_file_name(id: &str) -> Result<String, WriteError> {
    check_id(id)?;
    Ok(format!("{REQUEST_PREFIX}{id}.xml"))
}

/// The `<id>` of a request file name, if it is one (and the id is acceptable).
pub fn request_id(file_name: &str) -> Option<&str> {
    let id = file_name
        .strip_prefix(REQUEST_PREFIX)?
        .strip_suffix(".xml")?;
    check_id(id).ok().map(|_| id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Publish {
    /// rename(2): replaces an existing file atomically.
    Replace,
    /// link(2): fails if the final name exists.
    NoClobber,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn write_all(file: &mut File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)
}

/// Writes `bytes` as `dir/name` through a temporary file; `write` does the data writes (tests
/// inject failures through it).
fn write_atomically_with(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    publish: Publish,
    write: &mut dyn FnMut(&mut File, &[u8]) -> io::Result<()>,
) -> Result<PathBuf, WriteError> {
    if !dir.is_dir() {
        return Err(WriteError::FolderMissing(dir.to_owned()));
    }
    let final_path = dir.join(name);
    let temp_path = dir.join(format!(
        ".{name}{TEMP_MARKER}{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut file = match OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp_path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(WriteError::FolderMissing(dir.to_owned()))
        }
        Err(e) => return Err(classify(&temp_path, e)),
    };
    let written = write(&mut file, bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| classify(&final_path, e));
    drop(file);
    let published = written.and_then(|()| match publish {
        Publish::Replace => {
            fs::rename(&temp_path, &final_path).map_err(|e| classify(&final_path, e))
        }
        Publish::NoClobber => match fs::hard_link(&temp_path, &final_path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(WriteError::AlreadyExists(final_path.clone()))
            }
            Err(e) => Err(classify(&final_path, e)),
        },
    });
    // After a rename the temporary name is gone; after a link or a failure, remove it.
    if publish == Publish::NoClobber || published.is_err() {
        let _ = fs::remove_file(&temp_path);
    }
    published?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| classify(dir, e))?;
    Ok(final_path)
}

/// A slow device: data is written `chunk_bytes` at a time with `pause` between chunks
/// (fault injection for tests and the load tool: it widens the window in which a crash
/// interrupts a write).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlowDevice {
    /// Bytes per write call.
    pub chunk_bytes: usize,
    /// Pause after each chunk.
    pub pause: std::time::Duration,
}

/// The result folders under one root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultFolders {
    root: PathBuf,
    slow_device: Option<SlowDevice>,
}

impl ResultFolders {
    /// Folders under `root` (not created).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            slow_device: None,
        }
    }

    /// The same folders, written through a [`SlowDevice`].
    pub fn with_slow_device(mut self, slow_device: SlowDevice) -> Self {
        self.slow_device = Some(slow_device);
        self
    }

    fn writer(&self) -> impl FnMut(&mut File, &[u8]) -> io::Result<()> {
        let slow = self.slow_device;
        move |file: &mut File, bytes: &[u8]| match slow {
            None => write_all(file, bytes),
            Some(slow) => {
                for chunk in bytes.chunks(slow.chunk_bytes.max(1)) {
                    file.write_all(chunk)?;
                    std::thread::sleep(slow.pause);
                }
                Ok(())
            }
        }
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `req/`
    pub fn req_dir(&self) -> PathBuf {
        self.root.join(REQ_DIR)
    }

    /// `res/`
    pub fn res_dir(&self) -> PathBuf {
        self.root.join(RES_DIR)
    }

    /// `face/`
    pub fn face_dir(&self) -> PathBuf {
        self.root.join(FACE_DIR)
    }

    /// Creates `req/`, `res/` and `face/` (and the root) if missing.
    pub fn create_all(&self) -> Result<(), WriteError> {
        for dir in [self.req_dir(), self.res_dir(), self.face_dir()] {
            fs::create_dir_all(&dir).map_err(|e| classify(&dir, e))?;
        }
        Ok(())
    }

    /// Writes a card-check result as `face/OQSsiquc01res_face_<id>_<at>.xml`; never replaces an
    /// existing file ([`WriteError::AlreadyExists`]).
    pub fn write_card_check_result(
        &self,
        id: &str,
        at: NaiveDateTime,
        xml: &[u8],
    ) -> Result<PathBuf, WriteError> {
        let name = card_check_file_name(id, at)?;
        write_atomically_with(
            &self.face_dir(),
            &name,
            xml,
            Publish::NoClobber,
            &mut self.writer(),
        )
    }

    /// Renders and writes the result file of a card check (named by its check id and time).
    /// `Ok(None)`: the options say this outcome writes no file
    /// ([`crate::result_xml::CardCheckWithoutRecord::NoFile`]).
    pub fn write_outcome(
        &self,
        outcome: &CheckOutcome,
        options: &ResultFileOptions,
    ) -> Result<Option<PathBuf>, WriteError> {
        let Some(message) = ResultMessage::for_card_check(outcome, options) else {
            return Ok(None);
        };
        let xml = render_result_xml(&message);
        self.write_card_check_result(&outcome.file_id(), outcome.checked_at, &xml)
            .map(Some)
    }

    /// Writes an answer as `res/OQSsiquc01res_<id>.xml` (replacing an older answer).
    pub fn write_response(&self, id: &str, xml: &[u8]) -> Result<PathBuf, WriteError> {
        let name = response_file_name(id)?;
        write_atomically_with(
            &self.res_dir(),
            &name,
            xml,
            Publish::Replace,
            &mut write_all,
        )
    }

    /// Removes temporary files a killed writer left in `face/` and `res/`; returns how many.
    pub fn remove_stale_temp_files(&self) -> Result<usize, WriteError> {
        let mut removed = 0;
        for dir in [self.face_dir(), self.res_dir()] {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(classify(&dir, e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| classify(&dir, e))?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') && name.contains(TEMP_MARKER) {
                    fs::remove_file(entry.path()).map_err(|e| classify(&entry.path(), e))?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// One request answered by [`process_pending_requests`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedRequest {
    /// The request's id.
    pub id: String,
    /// The answer file written.
    pub response: PathBuf,
}

/// Answers every `req/OQSsiquc01req_<id>.xml` with `res/OQSsiquc01res_<id>.xml` (in id order),
/// then removes the request. One pass of the polling loop; call it from a loop or a timer.
/// Stops at the first write error (the unanswered requests stay in `req/`).
pub fn process_pending_requests(
    root: &Path,
    responder: &RequestResponder,
    now: NaiveDateTime,
) -> Result<Vec<ProcessedRequest>, WriteError> {
    let folders = ResultFolders::new(root);
    let req_dir = folders.req_dir();
    let entries = match fs::read_dir(&req_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(WriteError::FolderMissing(req_dir))
        }
        Err(e) => return Err(classify(&req_dir, e)),
    };
    let mut pending: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| classify(&req_dir, e))?;
        let name = entry.file_name();
        if let Some(id) = name.to_str().and_then(request_id) {
            pending.push((id.to_owned(), entry.path()));
        }
    }
    pending.sort();
    let mut done = Vec::new();
    for (id, path) in pending {
        let request = match fs::read(&path) {
            Ok(bytes) => bytes,
            // Taken away by someone else between listing and reading: not ours any more.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(classify(&path, e)),
        };
        let answer = responder.answer(&request, now);
        let response = folders.write_response(&id, &answer)?;
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(classify(&path, e)),
        }
        done.push(ProcessedRequest { id, response });
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|r| {
                r.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    #[test]
    fn disk_full_mid_write_is_a_typed_error_and_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let folders = ResultFolders::new(tmp.path());
        folders.create_all().unwrap_or_else(|e| panic!("{e}"));
        // Half the bytes reach the file, then the device is full.
        let mut failing = |file: &mut File, bytes: &[u8]| -> io::Result<()> {
            file.write_all(bytes.get(..bytes.len() / 2).unwrap_or_default())?;
            Err(io::Error::from_raw_os_error(ENOSPC))
        };
        let result = write_atomically_with(
            &folders.face_dir(),
            "OQSsiquc01res_face_1_20261125100000.xml",
            b"<XmlMsg>0123456789</XmlMsg>",
            Publish::NoClobber,
            &mut failing,
        );
        assert!(
            matches!(result, Err(WriteError::DiskFull { .. })),
            "{result:?}"
        );
        assert_eq!(names(&folders.face_dir()), Vec::<String>::new());
    }

    #[test]
    fn a_real_enospc_is_classified_as_disk_full() {
        // /dev/full answers every write with ENOSPC.
        let err = OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .and_then(|mut f| f.write_all(b"x").and_then(|()| f.sync_all()));
        let err = match err {
            Err(e) => e,
            Ok(()) => panic!("writing to /dev/full succeeded"),
        };
        assert!(matches!(
            classify(Path::new("/dev/full"), err),
            WriteError::DiskFull { .. }
        ));
    }

    #[test]
    fn missing_folder_is_a_typed_error() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let folders = ResultFolders::new(tmp.path().join("nowhere"));
        let result = folders.write_card_check_result("1", at(), b"<x/>");
        assert!(
            matches!(result, Err(WriteError::FolderMissing(_))),
            "{result:?}"
        );
        let result = folders.write_response("1", b"<x/>");
        assert!(
            matches!(result, Err(WriteError::FolderMissing(_))),
            "{result:?}"
        );
    }

    #[test]
    fn card_check_results_are_never_replaced_and_leave_no_temp() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let folders = ResultFolders::new(tmp.path());
        folders.create_all().unwrap_or_else(|e| panic!("{e}"));
        let first = folders.write_card_check_result("00000001", at(), b"<a/>");
        assert!(first.is_ok(), "{first:?}");
        let second = folders.write_card_check_result("00000001", at(), b"<b/>");
        assert!(
            matches!(second, Err(WriteError::AlreadyExists(_))),
            "{second:?}"
        );
        assert_eq!(
            names(&folders.face_dir()),
            vec!["OQSsiquc01res_face_00000001_20261125100000.xml".to_owned()]
        );
        let kept = fs::read(
            folders
                .face_dir()
                .join("OQSsiquc01res_face_00000001_20261125100000.xml"),
        )
        .unwrap_or_default();
        assert_eq!(kept, b"<a/>");
    }

    #[test]
    fn ids_that_are_not_file_name_safe_are_refused() {
        for id in ["", "../x", "a b", "a/b", "ｘ"] {
            assert!(matches!(
                card_check_file_name(id, at()),
                Err(WriteError::BadFileId(_))
            ));
        }
        assert_eq!(request_id("OQSsiquc01req_abc-1.xml"), Some("abc-1"));
        assert_eq!(request_id("OQSsiquc01req_.xml"), None);
        assert_eq!(request_id(".OQSsiquc01req_a.xml.tmp-1-2"), None);
    }

    #[test]
    fn stale_temp_files_are_removed() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let folders = ResultFolders::new(tmp.path());
        folders.create_all().unwrap_or_else(|e| panic!("{e}"));
        fs::write(
            folders
                .face_dir()
                .join(".OQSsiquc01res_face_1_x.xml.tmp-9-9"),
            b"<par",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        fs::write(folders.face_dir().join("keep.xml"), b"<a/>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(folders.remove_stale_temp_files().ok(), Some(1));
        assert_eq!(names(&folders.face_dir()), vec!["keep.xml".to_owned()]);
    }
}
