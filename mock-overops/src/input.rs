//! Reading captured payloads from files, folders and standard input.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use bytes::Bytes;

/// The path that stands for standard input.
pub const STDIN_PATH: &str = "-";

/// A failure to read payload inputs.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A path does not exist.
    #[error("input {0} not found; give an existing file, folder or - for standard input")]
    NotFound(PathBuf),
    /// Standard input was named more than once; it can be read only once.
    #[error(
        "standard input (-) is named more than once; name it once, because it can be read only once"
    )]
    RepeatedStdin,
    /// A folder contains no `.json` file.
    #[error("folder {0} contains no .json file; name payload files *.json or list them one by one")]
    EmptyFolder(PathBuf),
    /// Reading a file, a folder or standard input failed.
    #[error("failed to read {path}: {source}")]
    Read {
        /// The path, or `-` for standard input.
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// One payload as read, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The file path, or `-` for standard input.
    pub name: String,
    /// The bytes as read.
    pub bytes: Bytes,
}

/// Reads every input in order: a file as it is, a folder as its `.json`
/// files sorted by name (not recursive), and `-` as standard input.
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    let stdin_count = paths
        .iter()
        .filter(|path| path.as_os_str() == STDIN_PATH)
        .count();
    if stdin_count > 1 {
        return Err(InputError::RepeatedStdin);
    }

    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == STDIN_PATH {
            inputs.push(read_stdin()?);
        } else if path.is_dir() {
            for file in json_files(path)? {
                inputs.push(read_file(&file)?);
            }
        } else if path.exists() {
            inputs.push(read_file(path)?);
        } else {
            return Err(InputError::NotFound(path.clone()));
        }
    }
    Ok(inputs)
}

fn read_stdin() -> Result<Input, InputError> {
    let mut bytes = Vec::new();
    io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Read {
            path: PathBuf::from(STDIN_PATH),
            source,
        })?;
    Ok(Input {
        name: STDIN_PATH.to_owned(),
        bytes: bytes.into(),
    })
}

fn read_file(path: &Path) -> Result<Input, InputError> {
    let bytes = fs::read(path).map_err(|source| InputError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(Input {
        name: path.display().to_string(),
        bytes: bytes.into(),
    })
}

fn json_files(folder: &Path) -> Result<Vec<PathBuf>, InputError> {
    let read_error = |source| InputError::Read {
        path: folder.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in fs::read_dir(folder).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        let is_json = path
            .extension()
            .is_some_and(|extension| extension == "json");
        if is_json && path.is_file() {
            files.push(path);
        } else if is_json && !path.is_dir() {
            // A dangling link or special file would otherwise drop a
            // capture from the replay without a word.
            return Err(InputError::NotFound(path));
        }
    }
    if files.is_empty() {
        return Err(InputError::EmptyFolder(folder.to_owned()));
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn dangling_link_in_folder_is_an_error() {
        let folder = tempfile::tempdir().expect("temporary folder");
        std::fs::write(folder.path().join("a.json"), b"{}").expect("file written");
        let dangling = folder.path().join("b.json");
        std::os::unix::fs::symlink(folder.path().join("missing.json"), &dangling)
            .expect("link created");
        std::fs::create_dir(folder.path().join("c.json")).expect("folder created");

        let result = read_inputs(&[folder.path().to_owned()]);

        assert!(
            matches!(&result, Err(InputError::NotFound(path)) if *path == dangling),
            "{result:?}"
        );
    }

    #[test]
    fn repeated_stdin_is_rejected_before_reading() {
        let paths = [PathBuf::from(STDIN_PATH), PathBuf::from(STDIN_PATH)];

        let result = read_inputs(&paths);

        assert!(
            matches!(result, Err(InputError::RepeatedStdin)),
            "{result:?}"
        );
    }
}
