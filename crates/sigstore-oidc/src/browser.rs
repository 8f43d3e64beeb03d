//! How the interactive flows reach the user: [`LoginPrompt`] shows messages, the
//! authorization URL and device codes; [`BrowserOpener`] opens the authorization URL.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use crate::env::{find_program, non_empty, Env};
use crate::DeviceAuthorization;

/// Where the interactive flows show instructions to the user. Implemented by [`StderrPrompt`]
/// and by any `Fn(&str) + Send + Sync` closure (which receives every text).
pub trait LoginPrompt: Send + Sync {
    /// Shows a line of text.
    fn message(&self, text: &str);

    /// Shows the authorization URL the user has to open (browser and out-of-band flows).
    fn authorization_url(&self, url: &str) {
        self.message(&format!("\n    {url}\n"));
    }

    /// Shows where and with which code to approve a device login (RFC 8628 §3.3).
    fn device_authorization(&self, authorization: &DeviceAuthorization) {
        self.message(&authorization.to_string());
    }
}

impl<F: Fn(&str) + Send + Sync> LoginPrompt for F {
    fn message(&self, text: &str) {
        self(text);
    }
}

/// Writes the flows' messages to standard error.
#[derive(Debug, Clone, Copy, Default)]
pub struct StderrPrompt;

impl LoginPrompt for StderrPrompt {
    fn message(&self, text: &str) {
        eprintln!("{text}");
    }
}

/// How the browser flow opens the authorization URL. Failing to open a browser is not fatal:
/// the URL is always shown through the [`LoginPrompt`] first, and the flow keeps waiting for
/// the redirect until its timeout.
#[derive(Clone)]
pub struct BrowserOpener {
    kind: OpenerKind,
}

type OpenFn = dyn Fn(&str) -> Result<(), String> + Send + Sync;

#[derive(Clone)]
enum OpenerKind {
    /// Programs tried in order until one starts.
    Commands(Vec<BrowserCommand>),
    /// Nothing is opened.
    PrintOnly,
    /// A caller-supplied function.
    Custom(Arc<OpenFn>),
}

/// A program and its arguments; `%s` in an argument is replaced by the URL, and without any
/// `%s` the URL is appended as the last argument.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BrowserCommand {
    program: PathBuf,
    args: Vec<String>,
}

impl BrowserCommand {
    fn arguments(&self, url: &str) -> Vec<String> {
        if self.args.iter().any(|a| a.contains("%s")) {
            self.args.iter().map(|a| a.replace("%s", url)).collect()
        } else {
            let mut args = self.args.clone();
            args.push(url.to_owned());
            args
        }
    }
}

impl core::fmt::Debug for BrowserOpener {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.kind {
            OpenerKind::Commands(commands) => f
                .debug_tuple("BrowserOpener::Commands")
                .field(commands)
                .finish(),
            OpenerKind::PrintOnly => f.write_str("BrowserOpener::PrintOnly"),
            OpenerKind::Custom(_) => f.write_str("BrowserOpener::Custom"),
        }
    }
}

/// The platform's URL opener: `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on
/// Windows (`cmd /c start` would interpret the `&` of the URL), `xdg-open` elsewhere.
fn platform_opener() -> (&'static str, &'static [&'static str]) {
    if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("rundll32", &["url.dll,FileProtocolHandler"])
    } else {
        ("xdg-open", &[])
    }
}

impl BrowserOpener {
    /// The opener a user expects: the `BROWSER` variable of `env` if set
    /// ([`BrowserOpener::from_browser_var`]); else the platform opener (`xdg-open`, `open`, or
    /// `rundll32` on Windows) if it is on `env`'s `PATH` (and, for `xdg-open`, a graphical
    /// session is there to show a browser in: `DISPLAY` or `WAYLAND_DISPLAY` is set); else
    /// [`BrowserOpener::print_only`].
    pub fn from_env(env: &dyn Env) -> Self {
        if let Some(value) = non_empty(env, "BROWSER") {
            return Self::from_browser_var(&value);
        }
        let (program, args) = platform_opener();
        if program == "xdg-open"
            && non_empty(env, "DISPLAY").is_none()
            && non_empty(env, "WAYLAND_DISPLAY").is_none()
        {
            return Self::print_only();
        }
        match find_program(env, program) {
            Some(path) => Self {
                kind: OpenerKind::Commands(vec![BrowserCommand {
                    program: path,
                    args: args.iter().map(|a| (*a).to_owned()).collect(),
                }]),
            },
            None => Self::print_only(),
        }
    }

    /// Interprets a `BROWSER` value: a list of commands separated by the platform's path
    /// separator (`:`, or `;` on Windows), tried in order until one starts. An entry that
    /// names an existing file is that program; otherwise it is split at whitespace into a
    /// program and arguments (no quoting). `%s` in an argument is replaced by the URL;
    /// without one, the URL is appended.
    pub fn from_browser_var(value: &str) -> Self {
        let separator = if cfg!(windows) { ';' } else { ':' };
        let commands: Vec<BrowserCommand> = value
            .split(separator)
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .filter_map(|entry| {
                if Path::new(entry).is_file() {
                    return Some(BrowserCommand {
                        program: PathBuf::from(entry),
                        args: Vec::new(),
                    });
                }
                let mut words = entry.split_whitespace();
                let program = PathBuf::from(words.next()?);
                Some(BrowserCommand {
                    program,
                    args: words.map(str::to_owned).collect(),
                })
            })
            .collect();
        if commands.is_empty() {
            Self::print_only()
        } else {
            Self {
                kind: OpenerKind::Commands(commands),
            }
        }
    }

    /// Runs `program` with `args`; `%s` in an argument is replaced by the URL, and without
    /// any `%s` the URL is appended.
    pub fn command<I, S>(program: impl Into<PathBuf>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            kind: OpenerKind::Commands(vec![BrowserCommand {
                program: program.into(),
                args: args.into_iter().map(Into::into).collect(),
            }]),
        }
    }

    /// Opens nothing: the user opens the printed URL.
    pub fn print_only() -> Self {
        Self {
            kind: OpenerKind::PrintOnly,
        }
    }

    /// Calls `open` with the URL (it must not block; an error is shown to the user and the
    /// flow keeps waiting).
    pub fn custom(open: impl Fn(&str) -> Result<(), String> + Send + Sync + 'static) -> Self {
        Self {
            kind: OpenerKind::Custom(Arc::new(open)),
        }
    }

    /// Whether this opener opens nothing.
    pub fn is_print_only(&self) -> bool {
        matches!(self.kind, OpenerKind::PrintOnly)
    }

    /// Opens `url`. A started program is returned so the caller can notice it failing; it
    /// is not waited for and not killed. Failures are reported through `prompt`.
    pub(crate) fn open(
        &self,
        url: &str,
        prompt: &dyn LoginPrompt,
    ) -> Option<(String, tokio::process::Child)> {
        match &self.kind {
            OpenerKind::PrintOnly => None,
            OpenerKind::Custom(open) => {
                if let Err(reason) = open(url) {
                    prompt.message(&format!(
                        "Could not open a browser ({reason}); open the URL above yourself."
                    ));
                }
                None
            }
            OpenerKind::Commands(commands) => {
                for command in commands {
                    let spawned = tokio::process::Command::new(&command.program)
                        .args(command.arguments(url))
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::inherit())
                        .spawn();
                    let name = command.program.display().to_string();
                    match spawned {
                        Ok(child) => return Some((name, child)),
                        Err(e) => prompt.message(&format!("Could not run {name}: {e}")),
                    }
                }
                prompt.message("No browser could be started; open the URL above yourself.");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn commands(opener: &BrowserOpener) -> Vec<BrowserCommand> {
        match &opener.kind {
            OpenerKind::Commands(c) => c.clone(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn browser_variable() {
        let o = BrowserOpener::from_browser_var("firefox --new-window %s");
        let c = commands(&o);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].program, PathBuf::from("firefox"));
        assert_eq!(
            c[0].arguments("https://x/?a=1&b=2"),
            vec!["--new-window", "https://x/?a=1&b=2"]
        );
        let o = BrowserOpener::from_browser_var("chromium");
        assert_eq!(commands(&o)[0].arguments("U"), vec!["U"]);
        let o = BrowserOpener::from_browser_var("w3m --url=%s --x");
        assert_eq!(commands(&o)[0].arguments("U"), vec!["--url=U", "--x"]);
        assert!(BrowserOpener::from_browser_var("  ").is_print_only());
        if !cfg!(windows) {
            let o = BrowserOpener::from_browser_var("missing-browser:firefox %s");
            assert_eq!(commands(&o).len(), 2);
        }
    }

    #[test]
    fn environment_choice() {
        let env: HashMap<String, String> = [("BROWSER".to_owned(), "lynx".to_owned())].into();
        assert_eq!(
            commands(&BrowserOpener::from_env(&env))[0].program,
            PathBuf::from("lynx")
        );
        // No BROWSER and no opener on an empty PATH: print only.
        let env: HashMap<String, String> = [("PATH".to_owned(), String::new())].into();
        assert!(BrowserOpener::from_env(&env).is_print_only());
        let env: HashMap<String, String> = HashMap::new();
        assert!(BrowserOpener::from_env(&env).is_print_only());
    }

    #[test]
    fn debug_names_the_kind() {
        assert_eq!(
            format!("{:?}", BrowserOpener::print_only()),
            "BrowserOpener::PrintOnly"
        );
        assert_eq!(
            format!("{:?}", BrowserOpener::custom(|_| Ok(()))),
            "BrowserOpener::Custom"
        );
    }
}
