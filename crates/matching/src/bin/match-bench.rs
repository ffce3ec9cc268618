//! Benchmark runner: `match-bench INSTANCE` solves one instance file and prints
//! `{"matched": M, "cost": C, "seconds": S}` (S = solve time, parsing excluded).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: match-bench INSTANCE");
        return ExitCode::from(2);
    };
    match vagar_matching::solve_file_json(&PathBuf::from(path)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("match-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
