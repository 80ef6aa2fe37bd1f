//! The `<text>` elements of an SVG chart, as the export tests read them.

/// One `<text>` element: where it is anchored, its size, its anchor and its words.
#[derive(Clone, Debug, PartialEq)]
pub struct SvgText {
    pub x: f64,
    pub y: f64,
    /// The `font-size`: the text's em in pixels.
    pub font_size: f64,
    /// `start` (the SVG default when the attribute is absent), `middle` or `end`.
    pub anchor: String,
    /// The text, trimmed, its `&amp;`, `&lt;` and `&gt;` read back.
    pub content: String,
    /// Drawn turned (a `transform`: the y axis's description).
    pub rotated: bool,
}

/// Every `<text>` of `svg`, in document order.
pub fn svg_texts(svg: &str) -> Vec<SvgText> {
    svg.split("<text ")
        .skip(1)
        .map(|part| {
            let tag = format!(" {}", &part[..part.find('>').unwrap()]);
            let attr = |name: &str| {
                tag.split(&format!(" {name}=\""))
                    .nth(1)
                    .map(|v| v[..v.find('"').unwrap()].to_string())
            };
            let number = |name: &str| attr(name).unwrap().parse::<f64>().unwrap();
            let content = part[part.find('>').unwrap() + 1..part.find("</text>").unwrap()].trim();
            SvgText {
                x: number("x"),
                y: number("y"),
                font_size: number("font-size"),
                anchor: attr("text-anchor").unwrap_or_else(|| "start".into()),
                content: content
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
                rotated: attr("transform").is_some(),
            }
        })
        .collect()
}
