//! Writing to the terminal without panicking: standard output closed early
//! (`hotline call list | head`) or full (`> /dev/full`) becomes an error with
//! a message and an exit status, never a panic.

use std::fmt;
use std::io::Write as _;

use crate::CliError;

/// Write one line to standard output.
pub fn line(text: fmt::Arguments<'_>) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_fmt(text)
        .and_then(|()| stdout.write_all(b"\n"))
        .map_err(output_error)
}

/// Write text to standard output as it is (no line break added).
pub fn text(text: &str) -> Result<(), CliError> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(output_error)
}

/// Flush standard output: the last write error shows here if the lines were
/// still buffered.
pub fn flush() -> Result<(), CliError> {
    std::io::stdout().lock().flush().map_err(output_error)
}

/// Write one line to standard error. A closed standard error is ignored:
/// there is nowhere left to report it.
pub fn err_line(text: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(text)
        .and_then(|()| stderr.write_all(b"\n"));
}

fn output_error(err: std::io::Error) -> CliError {
    let reason = match err.kind() {
        std::io::ErrorKind::BrokenPipe => "it was closed".to_owned(),
        std::io::ErrorKind::StorageFull => "the disk is full".to_owned(),
        _ => err.to_string(),
    };
    CliError::new(format!("cannot write to standard output: {reason}"))
}

/// `println!` that returns an error instead of panicking: use it with `?`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::out::err_line(format_args!($($arg)*))
    };
}

pub(crate) use {errln, outln};
