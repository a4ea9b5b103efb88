//! Files the core writes for people to take away (exports, directory
//! files) and the JSON documents it publishes (schemas): one way to write
//! each.

use std::io::Write as _;
use std::path::Path;

use serde_json::Value;

/// Why an output file could not be written.
#[derive(Debug)]
pub(crate) enum OutputError {
    /// The file exists and overwriting was not asked for.
    Exists,
    /// The operating system refused.
    Io(std::io::Error),
}

/// Write `bytes` to `path` and flush them to the disk: a new file, or (with
/// `force`) over an existing one.
pub(crate) fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), OutputError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AlreadyExists {
            OutputError::Exists
        } else {
            OutputError::Io(err)
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(OutputError::Io)
}

/// `value` with every object's keys in sorted order, whatever map type
/// serde_json was built with (another crate in a build may turn on its
/// `preserve_order` feature).
pub(crate) fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// `value` as a published JSON document: keys sorted, pretty-printed,
/// ending in a newline.
pub(crate) fn json_text(value: Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    text.push('\n');
    text
}
