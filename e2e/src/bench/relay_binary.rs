//! Finds the `relay` executable that the benchmark runs as a child process,
//! building it first with the same cargo and profile as the benchmark.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::BenchError;

/// Returns the relay binary to run: `given` when set, otherwise the
/// `relay` next to this executable after `cargo build -p relay`.
///
/// `cargo run` does not build binaries of dependencies, so the benchmark
/// builds the relay itself. Cargo sets `CARGO` for the programs it runs;
/// without it the `cargo` on `PATH` is used.
pub fn locate(given: Option<&Path>) -> Result<PathBuf, BenchError> {
    if let Some(path) = given {
        return existing(path.to_path_buf());
    }

    let exe = std::env::current_exe().map_err(|source| BenchError::Io {
        action: "finding the benchmark's own executable".to_owned(),
        source,
    })?;
    let Some(profile_dir) = exe.parent() else {
        return Err(BenchError::RelayMissing { path: exe });
    };
    if let Some(target_dir) = profile_dir.parent() {
        build(target_dir)?;
    }
    existing(profile_dir.join("relay"))
}

fn existing(path: PathBuf) -> Result<PathBuf, BenchError> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(BenchError::RelayMissing { path })
    }
}

/// Runs `cargo build -p e2e -p relay --bin relay` into `target_dir`, in release
/// mode when this benchmark was built in release mode.
fn build(target_dir: &Path) -> Result<(), BenchError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let mut command = Command::new(&cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir)
        // Selecting e2e as well gives the relay's dependencies the features
        // they have in the benchmark's own build, so neither build makes
        // cargo recompile them for the other.
        .args(["-p", "e2e", "-p", "relay", "--bin", "relay"]);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }

    let shown = format!("{command:?}");
    tracing::info!(command = %shown, "building the relay binary");
    let status = command.status().map_err(|error| BenchError::BuildRelay {
        command: shown.clone(),
        reason: error.to_string(),
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(BenchError::BuildRelay {
            command: shown,
            reason: status.to_string(),
        })
    }
}
