//! Resident memory of a process, read from Linux's `/proc/PID/status`.

use serde::Serialize;

/// Resident set sizes of one process, in KiB as the kernel reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: the peak resident size since the process started.
    pub peak_kib: u64,
}

impl Memory {
    /// Reads the memory of process `pid`.
    pub fn of_process(pid: u32) -> std::io::Result<Memory> {
        let path = format!("/proc/{pid}/status");
        let status = std::fs::read_to_string(&path)?;
        Memory::parse(&status).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{path} has no VmRSS or VmHWM line; is this Linux?"),
            )
        })
    }

    /// Reads `VmRSS` and `VmHWM` from the text of a status file.
    fn parse(status: &str) -> Option<Memory> {
        Some(Memory {
            rss_kib: field_kib(status, "VmRSS:")?,
            peak_kib: field_kib(status, "VmHWM:")?,
        })
    }
}

/// Returns the value of a line such as `VmRSS:     10240 kB`.
fn field_kib(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// Converts KiB to MiB.
pub fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\trelay\nVmPeak:\t  900000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t5\n";

    #[test]
    fn status_fields_are_read() {
        let memory = Memory::parse(STATUS).expect("both fields present");

        assert_eq!(memory.rss_kib, 10240);
        assert_eq!(memory.peak_kib, 20480);
    }

    #[test]
    fn missing_field_reads_as_none() {
        assert_eq!(Memory::parse("Name:\trelay\nVmRSS:\t 1 kB\n"), None);
    }

    #[test]
    fn own_process_has_memory() {
        let memory = Memory::of_process(std::process::id()).expect("readable on Linux");

        assert!(memory.rss_kib > 0);
        assert!(memory.peak_kib >= memory.rss_kib);
    }

    #[test]
    fn kib_converts_to_mib() {
        assert_eq!(kib_to_mib(65536), 64.0);
    }
}
