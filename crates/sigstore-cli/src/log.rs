//! The command's log output: events of `tracing` (and records of the `log` crate, which some
//! dependencies use) written to stderr, one line each, filtered by level.
//!
//! The level comes from `-v`, `SIGSTORE_LOGLEVEL` or `RUST_LOG`. `RUST_LOG` takes
//! comma-separated directives: `LEVEL` (the default), `TARGET=LEVEL` (targets starting with
//! `TARGET`; the longest match wins) and a bare `TARGET` (everything from it). Directives it
//! cannot read are ignored. Spans are not recorded: nothing here uses them.
//!
//! This replaces a general-purpose subscriber whose start-up (a per-thread slab, filter
//! machinery) cost more than the rest of a one-bundle verification's set-up.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{span, Event, Level, Metadata, Subscriber};

/// Level filtering and output format.
#[derive(Debug, Clone)]
struct Filter {
    default: LevelFilter,
    targets: Vec<(String, LevelFilter)>,
    ansi: bool,
    with_target: bool,
}

impl Filter {
    fn new(default: LevelFilter, rust_log: Option<&str>, ansi: bool, with_target: bool) -> Self {
        let mut filter = Self {
            default,
            targets: Vec::new(),
            ansi,
            with_target,
        };
        for directive in rust_log.unwrap_or_default().split(',').map(str::trim) {
            match directive.split_once('=') {
                Some((target, level)) => {
                    if let Some(level) = parse_level(level) {
                        filter.targets.push((target.trim().to_owned(), level));
                    }
                }
                None if directive.is_empty() => {}
                None => match parse_level(directive) {
                    Some(level) => filter.default = level,
                    None => filter
                        .targets
                        .push((directive.to_owned(), LevelFilter::TRACE)),
                },
            }
        }
        filter
    }

    fn level_for(&self, target: &str) -> LevelFilter {
        self.targets
            .iter()
            .filter(|(prefix, _)| target.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map_or(self.default, |(_, level)| *level)
    }

    fn max(&self) -> LevelFilter {
        self.targets
            .iter()
            .map(|(_, level)| *level)
            .fold(self.default, LevelFilter::max)
    }

    fn enabled(&self, level: Level, target: &str) -> bool {
        self.level_for(target) >= level
    }

    /// Writes one line: the level (right-aligned, coloured on a terminal), the target when
    /// asked for, then `text`.
    fn write(&self, level: Level, target: &str, text: &str) {
        let mut line = String::with_capacity(text.len() + 32);
        let colour = match level {
            Level::ERROR => "31",
            Level::WARN => "33",
            Level::INFO => "32",
            Level::DEBUG => "34",
            Level::TRACE => "35",
        };
        if self.ansi {
            let _ = write!(line, "\x1b[{colour}m{level:>5}\x1b[0m ");
        } else {
            let _ = write!(line, "{level:>5} ");
        }
        if self.with_target {
            let _ = write!(line, "{target}: ");
        }
        line.push_str(text);
        line.push('\n');
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

fn parse_level(text: &str) -> Option<LevelFilter> {
    match text.trim().to_ascii_lowercase().as_str() {
        "off" => Some(LevelFilter::OFF),
        "error" => Some(LevelFilter::ERROR),
        "warn" => Some(LevelFilter::WARN),
        "info" => Some(LevelFilter::INFO),
        "debug" => Some(LevelFilter::DEBUG),
        "trace" => Some(LevelFilter::TRACE),
        _ => None,
    }
}

/// The `tracing` subscriber.
struct StderrSubscriber(Filter);

/// Collects an event's message and fields as `message name=value ...`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

impl Subscriber for StderrSubscriber {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && self.0.enabled(*metadata.level(), metadata.target())
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.0.max())
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        // Spans are never enabled, so this is not reached; any non-zero id will do.
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = Line::default();
        event.record(&mut line);
        line.message.push_str(&line.fields);
        let metadata = event.metadata();
        self.0
            .write(*metadata.level(), metadata.target(), &line.message);
    }

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

/// Records of the `log` crate, through the same filter.
struct LogRecords(Filter);

impl log::Log for LogRecords {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.0
            .enabled(to_tracing(metadata.level()), metadata.target())
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let text = record.args().to_string();
            self.0
                .write(to_tracing(record.level()), record.target(), &text);
        }
    }

    fn flush(&self) {}
}

fn to_tracing(level: log::Level) -> Level {
    match level {
        log::Level::Error => Level::ERROR,
        log::Level::Warn => Level::WARN,
        log::Level::Info => Level::INFO,
        log::Level::Debug => Level::DEBUG,
        log::Level::Trace => Level::TRACE,
    }
}

fn to_log(level: LevelFilter) -> log::LevelFilter {
    match level.into_level() {
        None => log::LevelFilter::Off,
        Some(Level::ERROR) => log::LevelFilter::Error,
        Some(Level::WARN) => log::LevelFilter::Warn,
        Some(Level::INFO) => log::LevelFilter::Info,
        Some(Level::DEBUG) => log::LevelFilter::Debug,
        Some(Level::TRACE) => log::LevelFilter::Trace,
    }
}

/// Installs the stderr log for the process: `default` unless `rust_log` (`RUST_LOG`'s value)
/// says otherwise; `ansi` colours the level; `with_target` names the emitting module.
pub fn init(default: LevelFilter, rust_log: Option<&str>, ansi: bool, with_target: bool) {
    let filter = Filter::new(default, rust_log, ansi, with_target);
    log::set_max_level(to_log(filter.max()));
    let _ = log::set_logger(Box::leak(Box::new(LogRecords(filter.clone()))));
    let _ = tracing::subscriber::set_global_default(StderrSubscriber(filter));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_directives_choose_levels_by_longest_target_prefix() {
        let f = Filter::new(
            LevelFilter::WARN,
            Some("info, hyper=debug ,hyper::proto=off,rustls,bogus=loud,,"),
            false,
            false,
        );
        let cases = [
            (Level::INFO, "sigstore", true),
            (Level::DEBUG, "sigstore", false),
            (Level::DEBUG, "hyper::client", true),
            (Level::TRACE, "hyper::client", false),
            (Level::ERROR, "hyper::proto::h1", false),
            (Level::TRACE, "rustls::conn", true),
            (Level::INFO, "bogus", true),
            (Level::DEBUG, "bogus", false),
        ];
        for (level, target, expected) in cases {
            assert_eq!(f.enabled(level, target), expected, "{level} {target}");
        }
        assert_eq!(f.max(), LevelFilter::TRACE);
    }

    #[test]
    fn without_rust_log_the_default_level_holds() {
        let f = Filter::new(LevelFilter::WARN, None, false, false);
        assert!(f.enabled(Level::WARN, "anything"));
        assert!(f.enabled(Level::ERROR, "anything"));
        assert!(!f.enabled(Level::INFO, "anything"));
        assert_eq!(f.max(), LevelFilter::WARN);
        let off = Filter::new(LevelFilter::WARN, Some("off"), false, false);
        assert!(!off.enabled(Level::ERROR, "anything"));
    }

    #[test]
    fn fields_follow_the_message() {
        let mut line = Line::default();
        line.record_debug(
            &field("message"),
            &format_args!("timestamp authority failed"),
        );
        line.record_debug(&field("tsa"), &"http://127.0.0.1:1");
        line.message.push_str(&line.fields);
        assert_eq!(
            line.message,
            "timestamp authority failed tsa=\"http://127.0.0.1:1\""
        );
    }

    /// A field named `name`, from a callsite declared for the test.
    fn field(name: &str) -> Field {
        struct Callsite;
        static CALLSITE: Callsite = Callsite;
        static FIELDS: &[&str] = &["message", "tsa"];
        static META: Metadata<'static> = tracing::Metadata::new(
            "test",
            "test",
            Level::INFO,
            None,
            None,
            None,
            tracing::field::FieldSet::new(FIELDS, tracing::callsite::Identifier(&CALLSITE)),
            tracing::metadata::Kind::EVENT,
        );
        impl tracing::callsite::Callsite for Callsite {
            fn set_interest(&self, _: tracing::subscriber::Interest) {}
            fn metadata(&self) -> &Metadata<'_> {
                &META
            }
        }
        META.fields().field(name).expect("declared field")
    }
}
