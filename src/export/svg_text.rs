//! What an exported SVG's text says to people and programs beyond what plotters writes: the
//! font sizes rounded (plotters writes `size / 1.24`, so a requested 15 px came back as
//! 15.000000000000002) and a `<title>` and `<desc>` for screen readers.

/// `svg` (a document plotters wrote) with every `font-size` rounded to 0.01 px, and `title`
/// and `desc` as the first children of its root element. Both texts are escaped (file text:
/// control characters shown as escapes, `&`, `<`, `>` and quotes as entities), so they never
/// add markup.
pub fn with_title_and_sizes(svg: &str, title: &str, desc: &str) -> String {
    let mut out = String::with_capacity(svg.len() + title.len() + desc.len() + 64);
    let mut rest = svg;
    const KEY: &str = "font-size=\"";
    while let Some(i) = rest.find(KEY) {
        let (head, tail) = rest.split_at(i + KEY.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let value = &tail[..end];
        match value.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let rounded = format!("{:.2}", v);
                let trimmed = rounded.trim_end_matches('0').trim_end_matches('.');
                out.push_str(trimmed);
            }
            _ => out.push_str(value),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    // After the root element's start tag (plotters writes no prolog or comment before it).
    let Some(start) = out.find("<svg") else {
        return out;
    };
    let Some(close) = out[start..].find('>').map(|i| start + i + 1) else {
        return out;
    };
    let inserted = format!(
        "\n<title>{}</title>\n<desc>{}</desc>",
        escape(title),
        escape(desc)
    );
    out.insert_str(close, &inserted);
    out
}

fn escape(text: &str) -> String {
    super::sanitize::for_terminal_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_rounded_and_the_title_is_escaped_text() {
        let svg = "<svg width=\"10\" height=\"10\">\n<text font-size=\"15.000000000000002\">a</text>\
                   <text font-size=\"13.5\">b</text></svg>";
        let out = with_title_and_sizes(svg, "A <b>&", "d\u{1b}[31m");
        assert!(out.contains("font-size=\"15\""), "{out}");
        assert!(out.contains("font-size=\"13.5\""), "{out}");
        assert!(
            out.starts_with("<svg width=\"10\" height=\"10\">\n<title>A &lt;b&gt;&amp;</title>"),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'));
        assert!(out.contains("<desc>d"));
    }
}
