//! What the benchmark ran on: cores, memory, CPU model and load.

use serde::Serialize;

/// The machine and how busy it was.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Cores this process may use.
    pub cores: usize,
    /// `MemTotal` of `/proc/meminfo`, in MiB.
    pub memory_mib: Option<u64>,
    /// First `model name` of `/proc/cpuinfo`.
    pub cpu_model: Option<String>,
    /// 1-minute load average when the benchmark started.
    pub load_before: Option<f64>,
    /// 1-minute load average when it ended.
    pub load_after: Option<f64>,
}

impl Machine {
    /// Reads the machine's description and the current load.
    pub fn read() -> Machine {
        Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_mib: read("/proc/meminfo").and_then(|text| {
                let kib: u64 = value_after(&text, "MemTotal:")?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()?;
                Some(kib / 1024)
            }),
            cpu_model: read("/proc/cpuinfo")
                .and_then(|text| value_after(&text, "model name").map(str::to_owned)),
            load_before: load_average(),
            load_after: None,
        }
    }

    /// Records the load average at the end of the run.
    pub fn finish(&mut self) {
        self.load_after = load_average();
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// Returns the trimmed text after `name` and its colon on the first line
/// that starts with `name`.
fn value_after<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let line = text.lines().find(|line| line.starts_with(name))?;
    let (_, value) = line.split_once(':')?;
    Some(value.trim())
}

/// Returns the 1-minute load average of `/proc/loadavg`.
pub fn load_average() -> Option<f64> {
    read("/proc/loadavg")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_after_reads_first_match() {
        let text = "processor\t: 0\nmodel name\t: AMD EPYC\nmodel name\t: other\n";

        assert_eq!(value_after(text, "model name"), Some("AMD EPYC"));
        assert_eq!(value_after(text, "flags"), None);
    }

    #[test]
    fn machine_has_cores() {
        assert!(Machine::read().cores >= 1);
    }
}
