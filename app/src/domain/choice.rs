//! One way to declare a closed set of values that is stored and sent as fixed strings:
//! `choice!` writes the enum, its serde names, `ALL`, `as_str`, `parse` and `label` from
//! one line per variant, so the string a column holds, the JSON name and the name a
//! person reads can never drift apart.

/// Declares an enum whose variants are written `Variant = "stored_name", "Label";`.
macro_rules! choice {
    (
        $(#[$doc:meta])*
        $name:ident {
            $( $(#[$variant_doc:meta])* $variant:ident = $text:literal, $label:literal; )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$variant_doc])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($text),*].len()] = [$($name::$variant),*];

            /// The name stored in the database and sent in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            /// The value stored as `text`, if there is one.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|value| value.as_str() == text)
            }

            /// The name a person reads.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),* }
            }
        }

        impl $crate::domain::choice::Choice for $name {
            fn all() -> &'static [Self] {
                &Self::ALL
            }
            fn as_str(self) -> &'static str {
                self.as_str()
            }
            fn parse(text: &str) -> Option<Self> {
                Self::parse(text)
            }
            fn label(self) -> &'static str {
                self.label()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use choice;

/// What every `choice!` set offers, for code that works on any of them (a select box).
pub trait Choice: Copy + PartialEq + Send + Sync + 'static {
    fn all() -> &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(text: &str) -> Option<Self>;
    fn label(self) -> &'static str;
}

#[cfg(test)]
mod tests {
    choice! {
        /// A test set.
        Colour {
            /// The first.
            Red = "red", "Red";
            DarkBlue = "dark_blue", "Dark blue";
        }
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        assert_eq!(Colour::ALL, [Colour::Red, Colour::DarkBlue]);
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.as_str()), Some(colour));
            let json = serde_json::to_string(&colour).unwrap();
            assert_eq!(json, format!("\"{}\"", colour.as_str()));
        }
        assert_eq!(Colour::DarkBlue.label(), "Dark blue");
        assert_eq!(Colour::parse("green"), None);
    }
}
