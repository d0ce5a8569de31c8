//! The one spelling of a user name, wherever a typed name meets the user table (creating a
//! user, signing in). MySQL's collation matches look-alikes (`ｔhr`, `ťhr`, `thr\0`, a
//! hidden zero-width space) to an account that the typed text does not name, so nothing
//! may look a user up, or throttle, by the text as typed.

use unicode_normalization::UnicodeNormalization;

/// Longer input cannot be a user name (at most 64 characters); it is not normalised.
const LONGEST_INPUT: usize = 256;

/// The canonical form of a typed user name: compatibility forms folded (NFKC, so the
/// full-width letters of an input method become plain ones), surrounding space trimmed,
/// lower case. `None` unless the result obeys the user-name rule
/// ([`check_username`](crate::domain::user::check_username)): ASCII letters, digits, `.`,
/// `_` and `-`, which leaves out every control, invisible and accented character. A
/// `None` names no account.
pub fn canonical_username(typed: &str) -> Option<String> {
    let folded = fold(typed)?;
    crate::domain::user::check_username(&folded)
        .is_none()
        .then_some(folded)
}

/// The normalised text of a typed name, before the rule is checked (`None` when far too
/// long to be one). Forms report the rule's message against this text.
pub fn fold(typed: &str) -> Option<String> {
    (typed.len() <= LONGEST_INPUT).then(|| typed.nfkc().collect::<String>().trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_method_forms_and_case_fold_to_the_plain_name() {
        assert_eq!(
            canonical_username("ｏｐｅｒａｔｏｒ").as_deref(),
            Some("operator")
        );
        assert_eq!(
            canonical_username(" Li.Wei\u{3000}").as_deref(),
            Some("li.wei")
        );
        assert_eq!(
            canonical_username("ops-1_a.b").as_deref(),
            Some("ops-1_a.b")
        );
    }

    #[test]
    fn look_alikes_name_no_account() {
        for typed in [
            "ťhr-ops",
            "thr-ops\0",
            "thr\u{200b}-ops",
            "thr-ops\u{feff}",
            "thr\u{0301}-ops",
            "thr ops",
            "th",
            &"a".repeat(65),
            &"a".repeat(10_000),
        ] {
            assert_eq!(canonical_username(typed), None, "{typed:?}");
        }
    }
}
