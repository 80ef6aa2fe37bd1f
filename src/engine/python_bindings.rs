//! The names a Python module's import binds, read from its text without running it: the
//! module split into logical lines (strings, comments, brackets and `\` continuations
//! followed), and each module-level statement's bindings in the order Python runs them. A
//! scan, not Python's parser; [`super::python_source`] draws its answers from it.

use super::python_source::is_identifier;

/// One logical line of a module (a statement, or a compound statement's header), as the
/// scan sees it: where it starts (1-based line, byte offset), its indentation, where it ends,
/// and its code with comments dropped, strings blanked to `""` and line breaks inside
/// brackets or after `\` made spaces.
struct LogicalLine {
    line: usize,
    indent: usize,
    start: usize,
    end: usize,
    code: String,
}

/// The module's logical lines, in order (blank and comment-only lines skipped).
fn logical_lines(source: &str) -> Vec<LogicalLine> {
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(source.len(), |&(o, _)| o);
    let mut lines = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let mut indent = 0;
        while matches!(at(i), Some(' ' | '\t' | '\x0c' | '\r')) {
            indent += 1;
            i += 1;
        }
        match at(i) {
            None => break,
            Some('\n') => {
                line += 1;
                i += 1;
                continue;
            }
            Some('#') => {
                while at(i).is_some_and(|c| c != '\n') {
                    i += 1;
                }
                continue;
            }
            Some(_) => {}
        }
        let (start, first_line) = (offset(i), line);
        let mut code = String::new();
        let mut depth = 0usize;
        while let Some(c) = at(i) {
            match c {
                '#' => {
                    while at(i).is_some_and(|c| c != '\n') {
                        i += 1;
                    }
                }
                '\'' | '"' => {
                    let triple = at(i + 1) == Some(c) && at(i + 2) == Some(c);
                    i += if triple { 3 } else { 1 };
                    loop {
                        match at(i) {
                            None => break,
                            Some('\\') => {
                                // `\` then `\r\n` (CRLF) is one escaped line break.
                                let crlf = at(i + 1) == Some('\r') && at(i + 2) == Some('\n');
                                if at(i + 1) == Some('\n') || crlf {
                                    line += 1;
                                }
                                i += if crlf { 3 } else { 2 };
                            }
                            Some('\n') if !triple => break,
                            Some(q) if q == c && !triple => {
                                i += 1;
                                break;
                            }
                            Some(q) if q == c && at(i + 1) == Some(c) && at(i + 2) == Some(c) => {
                                i += 3;
                                break;
                            }
                            Some(q) => {
                                line += usize::from(q == '\n');
                                i += 1;
                            }
                        }
                    }
                    code.push_str("\"\"");
                }
                '\\' if at(i + 1) == Some('\n') => {
                    line += 1;
                    i += 2;
                    code.push(' ');
                }
                '\\' if at(i + 1) == Some('\r') && at(i + 2) == Some('\n') => {
                    line += 1;
                    i += 3;
                    code.push(' ');
                }
                '\n' => {
                    line += 1;
                    i += 1;
                    if depth == 0 {
                        break;
                    }
                    code.push(' ');
                }
                _ => {
                    match c {
                        '(' | '[' | '{' => depth += 1,
                        ')' | ']' | '}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    code.push(c);
                    i += 1;
                }
            }
        }
        let end = start + source[start..offset(i)].trim_end().len();
        lines.push(LogicalLine {
            line: first_line,
            indent,
            start,
            end,
            code: code.trim().to_string(),
        });
    }
    lines
}

/// How a module-level statement binds a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum How {
    /// `def` or `async def` (`plain` for `def`), with its first decorator if any, and the
    /// byte range of its text from the first decorator to the end of its body.
    Def {
        plain: bool,
        decorator: Option<String>,
        text: std::ops::Range<usize>,
    },
    /// Any other statement that binds the name, in words (`an assignment`, `an import`, ...).
    Other(&'static str),
    /// `del name`.
    Deleted,
    /// `from … import *`: may bind any name.
    StarImport,
}

/// A name bound by a statement the module runs when imported (its top level, or a block of a
/// top-level `if`/`try`/`for`/`while`/`with`, never a function's or a class's body).
#[derive(Clone, Debug)]
pub(super) struct Binding {
    /// Empty for [`How::StarImport`].
    pub(super) name: String,
    pub(super) line: usize,
    pub(super) how: How,
    /// The keyword and line of the innermost top-level block it is in (`except`, line 5).
    pub(super) block: Option<(String, usize)>,
}

const BLOCK_KEYWORDS: [&str; 13] = [
    "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "match", "case",
    "def", "class",
];

/// Every binding of a module-level name, in the order Python runs them on import.
pub(super) fn module_bindings(source: &str) -> Vec<Binding> {
    let lines = logical_lines(source);
    let mut out = Vec::new();
    // Open blocks: indentation, whether it is a function's or class's body, keyword, line.
    let mut blocks: Vec<(usize, bool, String, usize)> = Vec::new();
    let mut decorators: Vec<(usize, String)> = Vec::new();
    for (k, l) in lines.iter().enumerate() {
        while blocks.last().is_some_and(|b| b.0 >= l.indent) {
            blocks.pop();
        }
        let (keyword, rest) = split_keyword(&l.code);
        let opens = l.code.ends_with(':') && BLOCK_KEYWORDS.contains(&keyword);
        if blocks.iter().any(|b| b.1) {
            // Inside a function or a class: not the module's names.
            if opens {
                blocks.push((l.indent, true, keyword.to_string(), l.line));
            }
            continue;
        }
        let block = blocks.last().map(|b| (b.2.clone(), b.3));
        let mut bind = |name: String, how: How, block: &Option<(String, usize)>| {
            out.push(Binding {
                name,
                line: l.line,
                how,
                block: block.clone(),
            })
        };
        if l.code.starts_with('@') {
            decorators.push((l.start, source[l.start..l.end].to_string()));
            continue;
        }
        let taken = std::mem::take(&mut decorators);
        match keyword {
            "def" | "class" => {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // `(` for parameters, `[` for type parameters (`def work[T](xs):`, 3.12).
                let after_name = rest[name.len()..].trim_start();
                let how = if keyword == "class" {
                    Some(How::Other("a `class` statement"))
                } else if after_name.starts_with('(') || after_name.starts_with('[') {
                    let plain = !l.code.starts_with("async");
                    let end = lines[k + 1..]
                        .iter()
                        .take_while(|b| b.indent > l.indent)
                        .last()
                        .map_or(l.end, |b| b.end);
                    let start = taken.first().map_or(l.start, |d| d.0);
                    Some(How::Def {
                        plain,
                        decorator: taken.first().map(|d| d.1.clone()),
                        text: start..end,
                    })
                } else {
                    None
                };
                if let Some(how) = how.filter(|_| is_identifier(&name)) {
                    bind(name, how, &block);
                }
            }
            _ if BLOCK_KEYWORDS.contains(&keyword) => {
                // A block's header may bind (`for x in`, `with … as x`, `except E as x`),
                // and a one-line block's body is a statement in that block.
                let (header, body) = match opens {
                    true => (rest.trim_end_matches(':'), ""),
                    false => split_at_colon(rest),
                };
                let targets = match keyword {
                    "for" => header
                        .split_once(" in ")
                        .map_or_else(Vec::new, |(t, _)| target_names(t)),
                    "with" | "except" => split_top_level(header, ',')
                        .into_iter()
                        .filter_map(|item| item.split_once(" as ").map(|(_, t)| target_names(t)))
                        .flatten()
                        .collect(),
                    _ => Vec::new(),
                };
                let words = match keyword {
                    "for" => "a `for` loop's target",
                    "with" => "`with … as`",
                    _ => "`except … as`",
                };
                for name in targets {
                    bind(name, How::Other(words), &block);
                }
                let inner = Some((keyword.to_string(), l.line));
                for statement in body.split(';').filter(|s| !s.trim().is_empty()) {
                    for (name, how) in simple_statement_bindings(statement.trim()) {
                        bind(name, how, &inner);
                    }
                }
            }
            _ => {
                for statement in l.code.split(';').filter(|s| !s.trim().is_empty()) {
                    for (name, how) in simple_statement_bindings(statement.trim()) {
                        bind(name, how, &block);
                    }
                }
            }
        }
        if opens {
            let scope = matches!(keyword, "def" | "class");
            blocks.push((l.indent, scope, keyword.to_string(), l.line));
        }
    }
    out
}

/// A logical line's first keyword (`async def` and `async for` read as `def` and `for`) and
/// the text after it.
fn split_keyword(code: &str) -> (&str, &str) {
    let code = match code.strip_prefix("async") {
        Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => code,
    };
    let end = code
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(code.len());
    let (word, rest) = code.split_at(end);
    // `match = 3`, `case(x)`: soft keywords are keywords only before a block.
    if matches!(word, "match" | "case") && !code.ends_with(':') {
        return ("", code);
    }
    (word, rest.trim_start())
}

/// `header: body` split at the first `:` outside brackets.
fn split_at_colon(text: &str) -> (&str, &str) {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => return (&text[..at], &text[at + 1..]),
            _ => {}
        }
    }
    (text, "")
}

/// `text` split at `sep` outside brackets.
fn split_top_level(text: &str, sep: char) -> Vec<&str> {
    let (mut depth, mut from, mut parts) = (0usize, 0, Vec::new());
    for (at, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            c if c == sep && depth == 0 => {
                parts.push(&text[from..at]);
                from = at + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[from..]);
    parts
}

/// The names an assignment target list binds (`a`, `a, (b, *c)`); none for attributes and
/// subscripts (`a.b`, `a[0]`), which bind no name, or for text that is not a target list.
fn target_names(target: &str) -> Vec<String> {
    let mut names = Vec::new();
    for part in split_top_level(target, ',') {
        let part = part.trim().trim_start_matches('*').trim();
        let inner = part
            .strip_prefix('(')
            .and_then(|p| p.strip_suffix(')'))
            .or_else(|| part.strip_prefix('[').and_then(|p| p.strip_suffix(']')));
        match inner {
            Some(inner) => names.extend(target_names(inner)),
            None if is_identifier(part) => names.push(part.to_string()),
            None if part.contains(char::is_whitespace) => return Vec::new(),
            None => {}
        }
    }
    names
}

/// What one simple statement (no `;`) at module level binds.
fn simple_statement_bindings(statement: &str) -> Vec<(String, How)> {
    if let Some(items) = statement.strip_prefix("import ") {
        return split_top_level(items, ',')
            .into_iter()
            .filter_map(|item| {
                let name = match item.split_once(" as ") {
                    Some((_, alias)) => alias.trim(),
                    None => item.trim().split('.').next().unwrap_or(""),
                };
                is_identifier(name).then(|| (name.to_string(), How::Other("an import")))
            })
            .collect();
    }
    if statement.starts_with("from ") {
        let Some((_, items)) = statement.split_once(" import ") else {
            return Vec::new();
        };
        let items = items.trim().trim_start_matches('(').trim_end_matches(')');
        return split_top_level(items, ',')
            .into_iter()
            .filter_map(|item| {
                let item = item.trim();
                if item == "*" {
                    return Some((String::new(), How::StarImport));
                }
                let name = item.split_once(" as ").map_or(item, |(_, a)| a.trim());
                is_identifier(name).then(|| (name.to_string(), How::Other("an import")))
            })
            .collect();
    }
    if let Some(targets) = statement.strip_prefix("del ") {
        return target_names(targets)
            .into_iter()
            .map(|n| (n, How::Deleted))
            .collect();
    }
    // Assignments: `a = b = value`, `a: T = value`, `a += value`.
    let bytes = statement.as_bytes();
    let (mut depth, mut from, mut targets) = (0usize, 0, Vec::new());
    for (at, &c) in bytes.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'=' if depth == 0 => {
                let prev = at.checked_sub(1).map(|p| bytes[p]);
                if bytes.get(at + 1) == Some(&b'=') || matches!(prev, Some(b'=' | b'!' | b':')) {
                    continue;
                }
                let shift = matches!(prev, Some(b'<' | b'>'));
                if shift && !(at >= 2 && Some(bytes[at - 2]) == prev) {
                    continue; // `<=`, `>=`: a comparison
                }
                if shift
                    || matches!(
                        prev,
                        Some(b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'@')
                    )
                {
                    let target =
                        statement[from..at].trim_end_matches(|c: char| "+-*/%&|^@<>".contains(c));
                    return target_names(target)
                        .into_iter()
                        .map(|n| (n, How::Other("an augmented assignment")))
                        .collect();
                }
                targets.push(&statement[from..at]);
                from = at + 1;
            }
            _ => {}
        }
    }
    targets
        .into_iter()
        .flat_map(|t| target_names(split_at_colon(t).0))
        .map(|n| (n, How::Other("an assignment")))
        .collect()
}
