//! Writing command output without panicking.
//!
//! `eprintln!` panics when standard error is closed or full. These helpers
//! write with `writeln!` and ignore a failure, because there is nowhere
//! left to report it.

use std::io::{self, Write};

/// Prints `error: MESSAGE` on standard error. A failure to print is
/// ignored, because there is nowhere left to report it.
pub(crate) fn print_error(message: &str) {
    let _ = writeln!(io::stderr().lock(), "error: {message}");
}

/// Prints a warning for each ignored, probably misspelt `RELAY_` variable
/// on standard error, for the commands that do not log.
pub(crate) fn print_variable_warnings() {
    let mut stderr = io::stderr().lock();
    for misspelt in crate::config::misspelt_variables() {
        let _ = writeln!(stderr, "warning: {misspelt}");
    }
}
