//! The options every command takes, before or after its subcommand: `-v`, `--loglevel` and
//! the instance options (`sigstore --staging sign ...` and `sigstore sign --staging ...`, as
//! sigstore-python takes them before the subcommand).
//!
//! They are declared at every level of the command tree ([`GlobalArgs`], flattened into each
//! command) rather than with clap's `global`, which copies each of them into every subcommand
//! while the command line is parsed; [`Globals::merge`] combines the levels of one command
//! line. A value given on the command line at two levels must be the same; `-v` counts add up.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::builder::BoolishValueParser;
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use sigstore_cli::sign::usage;
use tracing::level_filters::LevelFilter;

use crate::trust_flags::{Instance, InstanceArgs};

const VERBOSE: &str = "verbose";
const LOG_LEVEL: &str = "log_level";
const STAGING: &str = "staging";
const INSTANCE: &str = "instance";
const TRUST_CONFIG: &str = "trust_config";
const OFFLINE: &str = "offline";

/// The global options as arguments of one command (flatten it into every command and
/// subcommand). It carries no values: read them with [`Globals::merge`].
#[derive(Debug, Clone, Copy)]
pub struct GlobalArgs;

impl GlobalArgs {
    fn args() -> [Arg; 6] {
        [
            Arg::new(VERBOSE)
                .short('v')
                .long("verbose")
                .action(ArgAction::Count)
                .help("Log what happens (repeat for more detail)"),
            Arg::new(LOG_LEVEL)
                .long("loglevel")
                .hide(true)
                .env("SIGSTORE_LOGLEVEL")
                .value_name("LEVEL")
                .value_parser(parse_log_level)
                .help(
                    "The log level when neither -v nor RUST_LOG is given: sigstore-python's \
                     names (debug, info, warning, error, critical). Default: warning",
                ),
            Arg::new(STAGING)
                .long("staging")
                .env("SIGSTORE_STAGING")
                .action(ArgAction::SetTrue)
                .value_parser(BoolishValueParser::new())
                .help("Use the staging instance's TUF repository instead of production's"),
            Arg::new(INSTANCE)
                .long("instance")
                .value_name("URL")
                .value_parser(clap::value_parser!(String))
                .help(
                    "Use the TUF repository at URL (trusted first with `sigstore trust-instance`)",
                ),
            Arg::new(TRUST_CONFIG)
                .long("trust-config")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "Use this client trust config (trusted root and signing config in one \
                     JSON file) instead of fetching trust material",
                ),
            Arg::new(OFFLINE)
                .long("offline")
                .env("SIGSTORE_OFFLINE")
                .action(ArgAction::SetTrue)
                .value_parser(BoolishValueParser::new())
                .help(
                    "Do not contact the TUF repository: use the trust material cached by the \
                     last refresh, else (production and staging) the copies embedded in this \
                     build",
                ),
        ]
    }
}

impl FromArgMatches for GlobalArgs {
    fn from_arg_matches(_: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(Self)
    }

    fn update_from_arg_matches(&mut self, _: &ArgMatches) -> Result<(), clap::Error> {
        Ok(())
    }
}

impl Args for GlobalArgs {
    fn augment_args(command: Command) -> Command {
        command.args(Self::args())
    }

    fn augment_args_for_update(command: Command) -> Command {
        command.args(Self::args())
    }
}

/// The global options of one command line, combined over its levels.
pub struct Globals {
    /// How many `-v` were given.
    pub verbose: u8,
    /// `--loglevel` (or `SIGSTORE_LOGLEVEL`).
    pub log_level: Option<LevelFilter>,
    /// The instance options.
    pub instance: Instance,
}

impl Globals {
    /// Combines the global options of `matches` and of each subcommand's matches below it.
    /// Fails (a usage error) when a value is given on the command line at two levels with two
    /// different values.
    pub fn merge(matches: &ArgMatches) -> anyhow::Result<Self> {
        let levels: Vec<&ArgMatches> = std::iter::successors(Some(matches), |level| {
            level.subcommand().map(|(_, sub)| sub)
        })
        .collect();
        let verbose = levels
            .iter()
            .map(|level| level.get_count(VERBOSE))
            .fold(0u8, u8::saturating_add);
        let flag = |id: &str| levels.iter().any(|level| level.get_flag(id));
        let args = InstanceArgs {
            staging: flag(STAGING),
            instance: one(&levels, INSTANCE, "--instance")?,
            trust_config: one(&levels, TRUST_CONFIG, "--trust-config")?,
            offline: flag(OFFLINE),
        };
        let staging_explicit = levels
            .iter()
            .any(|level| level.value_source(STAGING) == Some(ValueSource::CommandLine));
        Ok(Self {
            verbose,
            log_level: one(&levels, LOG_LEVEL, "--loglevel")?,
            instance: Instance::new(args, staging_explicit),
        })
    }
}

/// The value of option `id` (spelled `flag`) over `levels`: the command line's, else the
/// environment's.
fn one<T>(levels: &[&ArgMatches], id: &str, flag: &str) -> anyhow::Result<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let mut chosen: Option<(T, bool)> = None;
    for level in levels {
        let Some(value) = level.get_one::<T>(id) else {
            continue;
        };
        let from_command_line = level.value_source(id) == Some(ValueSource::CommandLine);
        match &chosen {
            Some((first, true)) if from_command_line && first != value => {
                return Err(usage(anyhow!(
                    "{flag} is given twice, with different values"
                )));
            }
            Some((_, false)) if from_command_line => {
                chosen = Some((value.clone(), true));
            }
            Some(_) => {}
            None => chosen = Some((value.clone(), from_command_line)),
        }
    }
    Ok(chosen.map(|(value, _)| value))
}

/// A sigstore-python log level name (any case) as a tracing level.
fn parse_log_level(name: &str) -> Result<LevelFilter, String> {
    match name.to_ascii_lowercase().as_str() {
        "critical" | "fatal" | "error" => Ok(LevelFilter::ERROR),
        "warning" | "warn" => Ok(LevelFilter::WARN),
        "info" => Ok(LevelFilter::INFO),
        "debug" => Ok(LevelFilter::DEBUG),
        "notset" => Ok(LevelFilter::TRACE),
        _ => Err("not a log level (debug, info, warning, error, critical)".to_owned()),
    }
}
