//! The characters that text from a file must never pass raw to a terminal or a hover, shared
//! by the sanitiser (`export::sanitize`) and the lower layers that show recorded text
//! (`sys::process_identity`'s host names).

/// Characters never passed raw to a terminal: C0 controls (ESC, CR, BEL, backspace…) but
/// newline and tab, DEL, C1 controls (U+0080–U+009F, e.g. the 8-bit CSI), and the Unicode
/// bidirectional overrides and isolates that reorder what is displayed.
pub fn is_unsafe_for_terminal(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => true,
        _ => false,
    }
}
