//! "1 record", "3 records": a count with its noun, singular where it fits.

/// `n` and `one` or `many`, as fits `n`.
pub fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    match n.into() {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(counted(1u32, "entry", "entries"), "1 entry");
        assert_eq!(counted(0u32, "entry", "entries"), "0 entries");
        assert_eq!(counted(12u64, "record", "records"), "12 records");
    }
}
