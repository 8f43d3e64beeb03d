//! Identity regexes are compiled without the regex crates' Unicode tables (`src/pattern.rs`);
//! they must accept and match exactly what the `regex` crate (with Unicode case folding and
//! Perl classes) does for the same anchored pattern, except the two refusals documented on
//! `Matcher::regex`.
#![allow(clippy::unwrap_used, clippy::panic)]

use sigstore_x509_policy::{Error, Matcher};

const PATTERNS: &[&str] = &[
    r"\w+@example\.com",
    r"\d+",
    r"\s",
    r"\W",
    r"\D+",
    r"\S+",
    r"[\w.-]+@[\w.-]+",
    r"[^\w]",
    r"[^\W\d]+",
    r"[\s\S]*",
    r"(?i)USER@EXAMPLE\.COM",
    r"(?i)ÉTÉ",
    r"(?i)k",
    r"(?i)s+",
    r"(?i)[a-z]+",
    r"(?i)[^a-z]",
    r"(?i)[k-m]+",
    r"(?i)[[:upper:]]",
    r"(?i)[[:^lower:]]",
    r"(?i)[[:word:]]+",
    r"(?i)[[:^word:]]",
    r"(?i)[^[:alpha:]\d]",
    r"(?i)[a-z&&[^k]]+",
    r"(?i)[\w--[a-f]]+",
    r"(?i)[\w~~[k-s]]+",
    r"(?i)[[^a]b]",
    r"(?i)[^[^k]]",
    r"(?i)[\W]",
    r"(?i)\W",
    r"(?i:a)b",
    r"a(?i)b|c",
    r"(?i)a(?-i)b",
    r"(?i-s:a.)b",
    r"((?i)a)b",
    r"(?i)(?:x|(?-i:y))z",
    r"(?i)σ",
    r"(?i)ς+",
    r"(?i)ǅ",
    r"(?i)ß",
    r"(?i)ẞ",
    r"(?i)ﬀ",
    r"(?i)\x{212A}",
    r"(?i)\u{17F}",
    r"(?i)[\x{0}-\x{10FFFF}]",
    r"(?i)Ⅰ",
    r"(?i)ⓐ",
    r"(?i)𐐀",
    r"(?i)ꭰ",
    r"(?x) a b",
    r"(?ix) K \ k",
    r"\bfoo\b",
    r".*\bfoo\b.*",
    r".*\Bé",
    r"(?u)\w",
    r"(?iu)a",
    r"(?m)^a$",
    r"(?s).",
    r"a{2,3}",
    r"(?U)a+",
    r"(?R)a$",
    r"^https://github\.com/[^/]+/[^/]+/\.github/workflows/.*@refs/heads/main$",
    r"https://github.com/sigstore-conformance/.*",
    r"a|(?i)b|c",
    r"(?i)[[:^alpha:]]+",
    r"(?i)[a-z--k]+",
    r"(?i)(?-i:[^k])",
    r"(?i)[^\x00-\x{10FFFF}]",
    r"\b{start}foo\b{end}",
    r".*\<foo\>.*",
    r"(?R)(?m)^a$",
    r"(?Rm)a$\n^b",
    // Invalid in both.
    r"a)|(.*",
    r"(",
    r"[z-a]",
    r"(?i",
    r"\1",
    r"(?<n>a)(?<n>b)",
    r"a{1001}{1001}",
];

const VALUES: &[&str] = &[
    "",
    "a",
    "A",
    "b",
    "B",
    "c",
    "C",
    "k",
    "K",
    "\u{212A}",
    "kK\u{212A}",
    "s",
    "S",
    "ſ",
    "sſS",
    "é",
    "É",
    "josé@example.com",
    "jo sé@example.com",
    "user@example.com",
    "USER@EXAMPLE.COM",
    "été",
    "ÉTÉ",
    "éTé",
    "٣",
    "3",
    "٣3",
    " ",
    "\u{3000}",
    "\t",
    "\n",
    "a\nb",
    "\r",
    "σ",
    "Σ",
    "ς",
    "σΣς",
    "ǅ",
    "ǆ",
    "Ǆ",
    "ß",
    "ẞ",
    "ss",
    "ﬀ",
    "ff",
    "ab",
    "aB",
    "AB",
    "Ab",
    "ac",
    "xz",
    "XZ",
    "yz",
    "Yz",
    "aa",
    "aaa",
    "aaaa",
    "foo",
    "a foo b",
    "xfoo",
    "é foo",
    "xé",
    " é",
    "ⅰ",
    "Ⅰ",
    "ⓐ",
    "Ⓐ",
    "𐐀",
    "𐐨",
    "Ꭰ",
    "ꭰ",
    "_",
    "-",
    "lmn",
    "LMN",
    "ghij",
    "GHIJ",
    "abc",
    "kk",
    "K k",
    "\u{212A}k",
    "https://github.com/o/r/.github/workflows/x.yml@refs/heads/main",
    "https://github.com/sigstore-conformance/x",
    "a\r\nb",
    "a\nb",
    "x foo y",
    "\u{212A}\u{17F}",
];

#[test]
fn identity_regexes_match_as_the_regex_crate_does() {
    let (mut compared, mut refused_by_both) = (0, 0);
    for pattern in PATTERNS {
        let reference = regex::Regex::new(pattern)
            .and_then(|_| regex::Regex::new(&format!(r"\A(?:{pattern})\z")));
        let ours = Matcher::regex(pattern);
        match (&reference, &ours) {
            (Err(_), Err(Error::InvalidRegex { .. })) => refused_by_both += 1,
            (Ok(reference), Ok(ours)) => {
                for value in VALUES {
                    assert_eq!(
                        ours.is_match(value),
                        reference.is_match(value),
                        "pattern {pattern:?}, value {value:?}"
                    );
                    compared += 1;
                }
            }
            _ => panic!(
                "pattern {pattern:?}: the regex crate says {:?}, we say {:?}",
                reference.as_ref().err(),
                ours.as_ref().err()
            ),
        }
    }
    println!(
        "{} patterns: {compared} matches compared, {refused_by_both} patterns refused by both",
        PATTERNS.len()
    );
    assert_eq!(refused_by_both, 7);
}

/// What the rewrite refuses that the `regex` crate would take: Unicode property classes and
/// Unicode mode turned off. Refused with a reason, never compiled some other way.
#[test]
fn property_classes_and_non_unicode_mode_are_refused() {
    for pattern in [
        r"\p{Greek}+",
        r"\pL",
        r"[\P{L}]",
        r"(?i)[a\p{Lu}]",
        r"(?-u)\w",
        r"(?-u:a)",
        r"(?i-u)k",
        r"a(?s-u)b",
    ] {
        match Matcher::regex(pattern) {
            Err(Error::InvalidRegex { reason, .. }) => {
                assert!(
                    reason.contains("Unicode property classes")
                        || reason.contains("Unicode mode cannot be turned off"),
                    "{pattern}: {reason}"
                )
            }
            other => panic!("{pattern}: {other:?}"),
        }
    }
}

/// Expanding Unicode classes has a bound: a long run of `\w` is refused with a reason instead
/// of growing the parsed pattern by gigabytes; ordinary sizes still compile and match as the
/// `regex` crate does.
#[test]
fn expansion_is_bounded() {
    let hundred = r"\w".repeat(100);
    let value = "é".repeat(100);
    assert!(Matcher::regex(&hundred).unwrap().is_match(&value));
    assert!(regex::Regex::new(&format!(r"\A(?:{hundred})\z"))
        .unwrap()
        .is_match(&value));
    let long_literal = format!("(?i){}", "k".repeat(5_000));
    assert!(Matcher::regex(&long_literal)
        .unwrap()
        .is_match(&"K\u{212A}".repeat(2_500)));
    for pattern in [r"\w".repeat(10_000), format!("[{}]", r"\W".repeat(10_000))] {
        match Matcher::regex(&pattern) {
            Err(Error::InvalidRegex { reason, .. }) => {
                assert!(reason.contains("too large"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}
