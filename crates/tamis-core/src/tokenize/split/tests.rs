use super::*;
use crate::tokenize::test_rng::TestRng;

const PATTERNS: [&str; 4] = [R50K_PATTERN, GPT2_PATTERN, CL100K_PATTERN, O200K_PATTERN];

/// Each built-in pattern with our scanner and fancy-regex's compiled form, built once.
fn splitters() -> &'static [(Splitter, fancy_regex::Regex)] {
    static SPLITTERS: std::sync::OnceLock<Vec<(Splitter, fancy_regex::Regex)>> =
        std::sync::OnceLock::new();
    SPLITTERS.get_or_init(|| {
        PATTERNS
            .iter()
            .map(|pattern| {
                let splitter = Splitter::for_pattern(pattern).unwrap();
                assert!(!matches!(splitter, Splitter::Regex(_)));
                (splitter, fancy_regex::Regex::new(pattern).unwrap())
            })
            .collect()
    })
}

fn ours<'t>(splitter: &Splitter, text: &'t str) -> Vec<&'t str> {
    let mut pieces = Vec::new();
    splitter.split(text, |p| pieces.push(p)).unwrap();
    pieces
}

fn assert_same_split(text: &str) {
    for (splitter, regex) in splitters() {
        let expected: Vec<&str> = regex.find_iter(text).map(|m| m.unwrap().as_str()).collect();
        assert_eq!(ours(splitter, text), expected, "{splitter:?} on {text:?}");
    }
}

#[test]
fn handpicked_inputs_split_as_fancy_regex() {
    let cases = [
        "",
        "Hello, world! It's a test: don't we'll they've I'M you'RE 'sup ''s",
        "   leading and trailing   ",
        "a  b   c\n\n d \n\t e\r\n\r\nf \u{a0}g\u{3000}h",
        "x \n",
        "\n\n\n",
        "  \n  ",
        "tab\there\t\t\tx",
        "1234567 12 3.14159 ١٢٣٤ ½ Ⅻ",
        "CamelCaseWORDS andMixedUPPERlower ǅemal ʰaʰ",
        "e\u{301}te\u{301} \u{301}A\u{301}BC \u{301}\u{301}",
        "中文字符 日本語のテキスト 한국어",
        "emoji 😀👍🏽 👨\u{200d}👩\u{200d}👧 !!! ...",
        "path/to/file\n// comment\n/*\n*/",
        "ſ 'ſ 'Ll 'VE 'rE 'D",
        "HELLO'S World'S lower'll",
        "a\u{85}b\u{2028}c\u{2029}",
        "\r\r\n \r",
        "ends with space ",
        "ends with newline\n",
        "\u{1}\u{7f}control",
    ];
    for text in cases {
        assert_same_split(text);
    }
}

/// Fragments that stress every alternative: scripts, cases, marks, digits, punctuation,
/// apostrophes, and every kind of whitespace.
const FRAGMENTS: &[&str] = &[
    "a",
    "b",
    "s",
    "t",
    "ll",
    "ve",
    "re",
    "d",
    "m",
    "S",
    "T",
    "LL",
    "Re",
    "X",
    "ſ",
    "hello",
    "World",
    "ABC",
    "ǅ",
    "ʰ",
    "ª",
    "'",
    "''",
    "\"",
    ".",
    ",",
    "!",
    "?",
    "/",
    "//",
    "-",
    "_",
    "(",
    ")",
    "@",
    "#",
    "$",
    "%",
    "0",
    "7",
    "42",
    "12345",
    "٣",
    "½",
    "Ⅻ",
    "²",
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    "\u{a0}",
    "\u{3000}",
    "\u{2028}",
    "\u{85}",
    "\u{b}",
    "\u{c}",
    "中",
    "文字",
    "日本",
    "の",
    "한",
    "Привет",
    "ΣΩ",
    "σω",
    "नमस्ते",
    "\u{301}",
    "\u{308}",
    "\u{94d}",
    "\u{200d}",
    "\u{fe0f}",
    "😀",
    "👍🏽",
    "🇫🇷",
    "\u{1}",
    "\u{1c}",
    "\u{7f}",
    "\u{ad}",
    "€",
    "©",
    "\u{10ffff}",
];

#[test]
fn random_inputs_split_as_fancy_regex() {
    let mut rng = TestRng::new(0x7a31_5eed);
    for _ in 0..20_000 {
        let atoms = rng.below(40);
        let text: String = (0..atoms).map(|_| *rng.pick(FRAGMENTS)).collect();
        assert_same_split(&text);
    }
}

#[test]
fn long_runs_split_as_fancy_regex() {
    for run in [
        "  ", " \n", "\n ", "\t", "a", "A", "1", "!", "\u{301}", "中",
    ] {
        for count in [1, 2, 3, 50] {
            for tail in ["", "x", "X", " x", "\n", "!", "5", "\u{301}", "'s"] {
                assert_same_split(&format!("{}{tail}", run.repeat(count)));
                assert_same_split(&format!("{tail}{}{tail}", run.repeat(count)));
            }
        }
    }
}

#[test]
fn user_pattern_runs_on_fancy_regex() {
    let splitter = Splitter::for_pattern(r"\w+|\s+|.").unwrap();
    let mut pieces = Vec::new();
    splitter.split("ab  c!", |p| pieces.push(p)).unwrap();
    assert_eq!(pieces, ["ab", "  ", "c", "!"]);
    assert!(matches!(
        Splitter::for_pattern("(unclosed"),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn splitting_a_million_spaces_is_linear() {
    let text = format!("{}x", " ".repeat(1_000_000));
    for (splitter, _) in splitters() {
        assert_eq!(ours(splitter, &text).len(), 2, "{splitter:?}");
    }
}
