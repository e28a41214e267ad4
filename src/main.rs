//! The `linkgate` command: parses flags, turns them into library values in one place
//! (`cli`), runs the command and maps the outcome to a documented exit code. Everything else
//! lives in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::parse_args() {
        Ok(args) => args,
        Err(code) => return code.into(),
    };
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(err) => {
            eprintln!("error: {}", cli::describe(&err));
            cli::Exit::from_error(&err).into()
        }
    }
}
