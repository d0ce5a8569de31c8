//! Text that came from outside (a platform's answer, an error it caused) cut to a size
//! that fits where it is kept, saying where and how much was cut.

/// The most characters a step's log line or its last error keeps (a `TEXT` column holds
/// 65,535 bytes; a character takes up to four).
pub const MAX_STORED: usize = 8000;

/// `text` if it has at most `max` characters; otherwise its first `max` characters and a
/// note of how long it was.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!(
            "{} … [cut at {max} of {} characters]",
            &text[..end],
            text.chars().count()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_stays_and_long_text_says_where_it_was_cut() {
        assert_eq!(cut("ledger", 6), "ledger");
        assert_eq!(cut("日志日志", 2), "日志 … [cut at 2 of 4 characters]");
        assert_eq!(cut("", 0), "");
    }
}
