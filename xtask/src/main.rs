//! Project automation (`cargo xtask ...`).
#![forbid(unsafe_code)]

use std::process::Command;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => {
            let status = Command::new(env!("CARGO"))
                .args(["test", "--workspace", "--locked"])
                .status()?;
            anyhow::ensure!(status.success(), "tests failed");
            Ok(())
        }
        _ => anyhow::bail!("usage: cargo xtask ci"),
    }
}
