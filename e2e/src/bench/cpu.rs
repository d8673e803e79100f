//! CPU time of a process and of its threads, read from Linux's
//! `/proc/PID/stat` and `/proc/PID/task/TID/stat`.

use std::collections::BTreeMap;
use std::time::Duration;

/// Clock ticks per second of the `utime` and `stime` fields.
///
/// NOTE: this is USER_HZ, which is 100 on x86 and arm64 Linux, as `getconf
/// CLK_TCK` shows. The benchmark does not read it at run time.
const TICKS_PER_SECOND: u64 = 100;

/// Returns the user plus system CPU time of process `pid`, including
/// threads that already exited.
pub fn process_time(pid: u32) -> std::io::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    parse_stat(&stat)
        .map(|(_, time)| time)
        .ok_or_else(|| invalid(pid))
}

/// Returns the CPU time of the live threads of process `pid`, summed by
/// thread name (such as `relay-store-wri` or `tokio-rt-worker`).
pub fn thread_times(pid: u32) -> std::io::Result<BTreeMap<String, Duration>> {
    let mut times = BTreeMap::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let path = task?.path().join("stat");
        // A thread that exits between the listing and the read is skipped.
        let Ok(stat) = std::fs::read_to_string(&path) else {
            continue;
        };
        let (name, time) = parse_stat(&stat).ok_or_else(|| invalid(pid))?;
        *times.entry(name).or_insert(Duration::ZERO) += time;
    }
    Ok(times)
}

fn invalid(pid: u32) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("/proc/{pid}/stat has no readable utime and stime; is this Linux?"),
    )
}

/// Reads the name and `utime + stime` from a stat line. The name is in
/// parentheses and may contain spaces, so fields are counted after its
/// closing parenthesis: `utime` and `stime` are the 12th and 13th there.
fn parse_stat(stat: &str) -> Option<(String, Duration)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    let mut fields = stat.get(close + 1..)?.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    let ticks = user + system;
    let time = Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND);
    Some((name, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_line_is_parsed() {
        let stat =
            "25943 (relay-store wri) R 25940 25940 18456 0 -1 4194304 98 0 0 0 150 25 0 0 20 0 1 0";

        let (name, time) = parse_stat(stat).expect("valid stat line");

        assert_eq!(name, "relay-store wri");
        assert_eq!(time, Duration::from_millis(1750));
    }

    #[test]
    fn short_stat_line_is_rejected() {
        assert_eq!(parse_stat("1 (init) S 0 1"), None);
    }

    #[test]
    fn own_process_has_threads() {
        let pid = std::process::id();

        let threads = thread_times(pid).expect("readable on Linux");

        assert!(!threads.is_empty());
        assert!(process_time(pid).is_ok());
    }
}
