//! The `hotline` binary: everything is in the `hotline_cli` library.

use std::process::ExitCode;

fn main() -> ExitCode {
    hotline_cli::main()
}
