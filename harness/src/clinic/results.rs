//! The receipt system's folders as the control API shows them: the result files of card checks
//! (`face/`) and the answers to requests (`res/`). A file is fetched by a name taken from the
//! listing, never by a path from the request.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::error::ClinicError;

/// Folders listed, in order.
const FOLDERS: [&str; 2] = ["face", "res"];

/// One result file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ResultFile {
    /// `face` (card checks at the readers) or `res` (answers to `req/`).
    pub folder: &'static str,
    /// File name (e.g. `OQSsiquc01res_face_00000001_20261125090012.xml`).
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
}

fn entries(root: &Path) -> Result<Vec<(ResultFile, PathBuf)>, ClinicError> {
    let mut files = Vec::new();
    for folder in FOLDERS {
        let dir = root.join(folder);
        let listing = match std::fs::read_dir(&dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(ClinicError::engine(format!("{}: {e}", dir.display()))),
        };
        let mut here: Vec<(ResultFile, PathBuf)> = listing
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().to_str()?.to_owned();
                let meta = entry.metadata().ok()?;
                (meta.is_file() && name.ends_with(".xml")).then(|| {
                    (
                        ResultFile {
                            folder,
                            name,
                            bytes: meta.len(),
                        },
                        entry.path(),
                    )
                })
            })
            .collect();
        here.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        files.extend(here);
    }
    Ok(files)
}

/// Every result file, `face/` first, each folder by name.
pub fn list_results(root: &Path) -> Result<Vec<ResultFile>, ClinicError> {
    Ok(entries(root)?.into_iter().map(|(file, _)| file).collect())
}

/// The bytes of the listed file called `name`.
pub fn read_result(root: &Path, name: &str) -> Result<Vec<u8>, ClinicError> {
    let path = entries(root)?
        .into_iter()
        .find(|(file, _)| file.name == name)
        .map(|(_, path)| path)
        .ok_or_else(|| ClinicError::UnknownResult(name.to_owned()))?;
    std::fs::read(&path).map_err(|e| ClinicError::engine(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_xml_files_can_be_read() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("face")).unwrap();
        std::fs::create_dir_all(root.path().join("res")).unwrap();
        std::fs::write(root.path().join("face/b.xml"), "<b/>").unwrap();
        std::fs::write(root.path().join("face/a.xml"), "<a/>").unwrap();
        std::fs::write(root.path().join("face/.a.xml.tmp"), "partial").unwrap();
        std::fs::write(root.path().join("res/r.xml"), "<r/>").unwrap();
        std::fs::write(root.path().join("secret.xml"), "no").unwrap();
        let names: Vec<_> = list_results(root.path())
            .unwrap()
            .into_iter()
            .map(|f| format!("{}/{}", f.folder, f.name))
            .collect();
        assert_eq!(names, ["face/a.xml", "face/b.xml", "res/r.xml"]);
        assert_eq!(read_result(root.path(), "a.xml").unwrap(), b"<a/>");
        for bad in [
            "../secret.xml",
            "secret.xml",
            "face/a.xml",
            ".a.xml.tmp",
            "",
        ] {
            assert!(
                matches!(
                    read_result(root.path(), bad),
                    Err(ClinicError::UnknownResult(_))
                ),
                "{bad}"
            );
        }
    }
}
