//! Text from files (experiment names and descriptions, error messages, host names) made safe
//! for the places it is shown.
//!
//! A shared preset or results file can carry terminal escape sequences (which recolour,
//! retitle or rewrite the screen, or hide text with a carriage return) and HTML (which a
//! Markdown viewer renders: `<script>`, `<img onerror=…>`, links). The terminal gets every
//! control character shown as an escape instead of obeyed; Markdown gets HTML and the
//! characters that break a table cell or make a link escaped.

use std::borrow::Cow;

use crate::terminal_chars::is_unsafe_for_terminal;

/// `text` with every control character replaced by its visible escape (`\u{1b}`), newlines
/// and tabs kept. Borrowed when nothing needed escaping.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_for_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_for_terminal(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`for_terminal`] for a single line: newlines and tabs become spaces as well, so a name
/// from a file cannot start a line of its own that reads like corelab's output.
pub fn for_terminal_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\t']) {
        return for_terminal(text);
    }
    Cow::Owned(for_terminal(&text.replace(['\n', '\t'], " ")).into_owned())
}

/// `text` as inert Markdown on one line, fit for a table cell or a heading: HTML's `<`, `>`
/// and `&` become entities; `\`, `` ` ``, `[`, `]` and `|` are backslash-escaped (no code
/// span, link, image or extra cell); line breaks become spaces; other control characters are
/// shown as escapes, as in [`for_terminal`]. Borrowed when nothing needed escaping.
pub fn for_markdown(text: &str) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(
            c,
            '<' | '>' | '&' | '\\' | '`' | '[' | ']' | '|' | '\n' | '\r' | '\t'
        ) || is_unsafe_for_terminal(c)
    };
    if !text.chars().any(special) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_unsafe_for_terminal(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`for_markdown`] for prose (a description, one paragraph) that marks code the Markdown
/// way: each pair of single backticks around some text stays a code span, so `` `counter +=
/// 1` `` shows as code and not as literal backticks. Inside a span Markdown reads nothing
/// (no emphasis, link or HTML), so only what would break the line or the terminal is
/// replaced there: line breaks and tabs by spaces, other control characters by their escapes.
/// Everything outside the spans, and a backtick without a partner, is escaped as by
/// [`for_markdown`].
pub fn for_markdown_with_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        out.push_str(&for_markdown(&rest[..open]));
        let after = &rest[open + 1..];
        match after.find('`') {
            // A span of some text, not touching another backtick (which would make a longer
            // delimiter than this one).
            Some(close)
                if close > 0 && !after[close + 1..].starts_with('`') && !out.ends_with('`') =>
            {
                out.push('`');
                for c in after[..close].chars() {
                    match c {
                        '\n' | '\r' | '\t' => out.push(' '),
                        c if is_unsafe_for_terminal(c) => {
                            out.push_str(&c.escape_unicode().to_string())
                        }
                        c => out.push(c),
                    }
                }
                out.push('`');
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str("\\`");
                rest = after;
            }
        }
    }
    out.push_str(&for_markdown(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_keeps_its_code_spans_and_escapes_the_rest() {
        assert_eq!(
            for_markdown_with_code("as `counter.value += 1` does, <b>|[x]"),
            "as `counter.value += 1` does, &lt;b&gt;\\|\\[x\\]"
        );
        // Inside a span Markdown reads nothing: HTML and brackets stay as written; a line
        // break or an escape sequence cannot get through.
        assert_eq!(
            for_markdown_with_code("`<img src=x>[a](b)`\n`a\nb\u{1b}[2J`"),
            "`<img src=x>[a](b)` `a b\\u{1b}[2J`"
        );
        // Unpaired, empty or doubled backticks are escaped, never a span.
        assert_eq!(for_markdown_with_code("a ` b"), "a \\` b");
        assert_eq!(for_markdown_with_code("``"), "\\`\\`");
        assert_eq!(for_markdown_with_code("``x``"), "\\`\\`x\\`\\`");
        assert_eq!(for_markdown_with_code("plain"), "plain");
    }

    #[test]
    fn one_line_names_keep_to_one_line() {
        assert_eq!(for_terminal_line("a\r\nb\tc\u{1b}"), "a\\u{d} b c\\u{1b}");
        assert!(matches!(for_terminal_line("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn terminal_text_loses_its_escape_sequences_but_keeps_lines() {
        let hostile = "ok\x1b]0;pwned\x07\x1b[2J\rfake\u{9b}31m\u{202e}txt\nnext\tcol";
        let safe = for_terminal(hostile);
        assert!(!safe.chars().any(is_unsafe_for_terminal), "{safe:?}");
        assert!(safe.contains("\\u{1b}]0;pwned"), "{safe}");
        assert!(safe.contains("\\u{d}fake"), "{safe}");
        assert!(safe.contains("\nnext\tcol"), "{safe}");
        assert!(matches!(for_terminal("plain ünïcode"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_text_cannot_inject_html_cells_or_links() {
        let hostile = "<script>alert(1)</script> | [x](javascript:alert(1)) `code` a&b\\|\nline";
        let safe = for_markdown(hostile);
        assert_eq!(
            safe,
            "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\[x\\](javascript:alert(1)) \\`code\\` a&amp;b\\\\\\| line"
        );
        assert!(!safe.contains('<') && !safe.contains('\n'));
        assert!(matches!(for_markdown("Demo 1"), Cow::Borrowed(_)));
    }
}
