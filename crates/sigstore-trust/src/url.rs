//! Instance URL checks and normalization.

/// `url` checked and normalized for [`crate::Instance::parse`]; the error says what is wrong.
pub(crate) fn normalize(url: &str) -> Result<String, &'static str> {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("it contains spaces or control characters");
    }
    let trimmed = url.trim_end_matches('/');
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Err("it must start with https://");
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err("it must start with https://");
    }
    if rest.contains(['?', '#']) {
        return Err("it must not have a query or fragment");
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err("it must not contain a user name");
    }
    let authority = authority.to_ascii_lowercase();
    let (host, port) = split_host_port(&authority).ok_or("no valid host")?;
    if let Some(port) = port {
        if port.is_empty()
            || !port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u16>().map_or(true, |p| p == 0)
        {
            return Err("invalid port");
        }
    }
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err("it must not contain . or .. segments");
    }
    if scheme == "http" && !is_loopback(host) {
        return Err(
            "plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https",
        );
    }
    Ok(format!("{scheme}://{authority}{path}"))
}

/// Whether a service may be contacted at `url`: `https://` with a valid host, or `http://` to a
/// loopback host only. Credentials (identity tokens) and signatures must never cross the
/// network in clear text.
pub(crate) fn is_secure(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if authority.contains('@') || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    let Some((host, _)) = split_host_port(&authority) else {
        return false;
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => is_loopback(host),
        _ => false,
    }
}

/// The host and optional port of a lower-cased authority; `None` when the host is not a DNS
/// name, an IPv4 address or a bracketed IPv6 address.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = rest.get(..end)?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        let after = rest.get(end + 1..)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (authority.get(..end + 2)?, port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let valid_name = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    (host.starts_with('[') || valid_name).then_some((host, port))
}

/// Whether `host` (as [`split_host_port`] returns it) is a loopback host.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|a| a.is_loopback());
    }
    host.parse::<std::net::Ipv4Addr>()
        .is_ok_and(|a| a.is_loopback())
}
