//! One error type for the whole program, each variant carrying the context a user needs to act on it
//! (the file, the setting key, the stage).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("setting `{key}`: {reason}")]
    Setting { key: String, reason: String },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}: {reason}")]
    BadFile { path: PathBuf, reason: String },

    #[error("stage `{stage}`: {reason}")]
    Stage { stage: &'static str, reason: String },

    #[error("{path}: {source}")]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },

    #[error("{context}: {source}")]
    Arrow {
        context: String,
        #[source]
        source: arrow::error::ArrowError,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn setting(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Setting {
            key: key.into(),
            reason: in_plain_words(&reason.into()),
        }
    }

    pub fn parquet(path: impl Into<PathBuf>, source: parquet::errors::ParquetError) -> Self {
        Error::Parquet {
            path: path.into(),
            source,
        }
    }

    pub fn arrow(context: impl Into<String>, source: arrow::error::ArrowError) -> Self {
        Error::Arrow {
            context: context.into(),
            source,
        }
    }
}

/// A settings message without Rust's type names: serde's "expected usize" says "expected a whole
/// number (0 or more)" to a user who never wrote Rust.
fn in_plain_words(reason: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("usize", "a whole number (0 or more)"),
        ("u64", "a whole number (0 or more)"),
        ("u32", "a whole number (0 or more)"),
        ("u16", "a whole number (0 or more)"),
        ("u8", "a whole number (0 or more)"),
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("f64", "a number"),
        ("f32", "a number"),
    ];
    let mut plain = reason.to_string();
    for (rust, words) in WORDS {
        plain = plain.replace(&format!("expected {rust}"), &format!("expected {words}"));
    }
    plain
}

#[cfg(test)]
mod tests {
    #[test]
    fn settings_messages_name_no_rust_type() {
        let error =
            super::Error::setting("run.threads", "invalid type: string \"x\", expected usize");
        assert_eq!(
            error.to_string(),
            "setting `run.threads`: invalid type: string \"x\", expected a whole number (0 or more)"
        );
    }
}
