//! The `relay` binary: parses the command line and runs it.

use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the intake and delivery
/// allocate and free buffers of several kilobytes per alert from many
/// threads, where glibc's malloc spent a sixth of the tokio threads' time
/// consolidating and unlinking free chunks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    relay::cli::run(relay::cli::Cli::parse())
}
