//! The units the charts show their values in: percent and MiB.

/// A fraction (efficiency 0.93) as a percentage (93.0): the unit efficiency is shown in
/// everywhere, on screen, in exported charts and in tables.
pub fn percent(fraction: f64) -> f64 {
    fraction * 100.0
}

/// Bytes as MiB (2^20 bytes): the unit of the memory chart.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
