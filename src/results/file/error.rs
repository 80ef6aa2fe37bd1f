//! Why a results file could not be read, trusted or written.

use thiserror::Error;

use super::document::RESULTS_FORMAT_VERSION;

#[derive(Debug, Error)]
pub enum ResultsError {
    #[error("cannot read results file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("results file {path} is {bytes} bytes, larger than the {limit}-byte limit")]
    TooLarge {
        path: String,
        bytes: u64,
        limit: u64,
    },
    #[error("{path} is not a corelab results file: {message}")]
    Parse { path: String, message: String },
    #[error(
        "{path} is a corelab results file of a newer format (`format_version` = {found}) than \
         this corelab reads (1 to {RESULTS_FORMAT_VERSION}): open it with a newer corelab"
    )]
    NewerFormat { path: String, found: u64 },
    /// A figure no sweep writes (a cell of 0 workers, a negative time): the message names the
    /// cell and quotes the value.
    #[error("{path} contradicts itself: {message}")]
    Contradiction { path: String, message: String },
    #[error("cannot write results file {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
