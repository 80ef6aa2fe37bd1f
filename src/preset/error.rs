use thiserror::Error;

/// Why a preset could not be used. Every message names the field and quotes the bad value.
#[derive(Debug, Error)]
pub enum PresetError {
    #[error("cannot read preset file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("preset is {bytes} bytes, larger than the {limit}-byte limit")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("preset is not valid: at `{field}`: {message}")]
    Parse { field: String, message: String },
    #[error("a preset is a JSON object (`{{ … }}`) at the top level, and this is {found}")]
    NotAnObject { found: &'static str },
    /// A field no preset has (a misspelling, or a field of a newer corelab).
    #[error("`{field}` is not a preset field{}{}",
        suggestion.as_ref().map_or(String::new(), |s| format!(" (did you mean `{s}`?)")),
        match more { 0 => String::new(), 1 => " (and 1 more unknown field)".into(), n => format!(" (and {n} more unknown fields)") })]
    UnknownField {
        field: String,
        /// The closest valid field at the same place, when one is close.
        suggestion: Option<String>,
        /// How many other unknown fields there are.
        more: usize,
    },
    #[error("`version` = {found}: this corelab reads preset versions 1 to {supported}")]
    Version { found: u32, supported: u32 },
    #[error("`{field}` = {value}: {reason}")]
    Invalid {
        field: String,
        value: String,
        reason: String,
    },
}

impl PresetError {
    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        PresetError::Invalid {
            field: field.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}
