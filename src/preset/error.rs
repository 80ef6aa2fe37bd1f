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
