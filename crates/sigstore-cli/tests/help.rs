//! `--help` of every command and subcommand shows examples of itself, and `sigstore
//! completions SHELL` prints a completion script for each shell.

mod common;

use common::*;

/// The subcommands listed under `Commands:` in a help text (without clap's `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_help_shows_an_example() {
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    let (mut passed, mut failed) = (0usize, Vec::new());
    while let Some(path) = queue.pop() {
        let mut args = path.clone();
        args.push("--help".to_owned());
        let r = sigstore_run(&args);
        let shown = format!("sigstore {}", path.join(" "));
        // An example line of this very command (global options may stand before it).
        let command = path.join(" ");
        let examples = r
            .stdout
            .split_once("Examples:\n")
            .map_or("", |(_, after)| after);
        let ok = r.code == Some(0)
            && examples
                .lines()
                .any(|line| line.starts_with("  sigstore ") && line.contains(&command));
        if ok {
            passed += 1;
        } else {
            failed.push(format!("{shown}: {r:#?}"));
        }
        for sub in subcommands(&r.stdout) {
            let mut next = path.clone();
            next.push(sub);
            queue.push(next);
        }
    }
    println!("help examples: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "{failed:#?}");
    // sigstore, verify (3), sign, attest, get-identity-token, inspect, trust-instance,
    // plumbing (2), completions.
    assert!(passed >= 14, "walked only {passed} commands");
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef sigstore"),
        ("fish", "complete -c sigstore"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = sigstore_run(["completions", shell]);
        r.expect_code(0);
        assert!(r.stdout.contains(marker), "{shell}: {r:#?}");
        // Subcommands and the global options are completed.
        assert!(r.stdout.contains("fix-bundle"), "{shell}");
        assert!(r.stdout.contains("trust-config"), "{shell}");
    }
    sigstore_run(["completions", "tcsh"]).expect_code(2);
}
