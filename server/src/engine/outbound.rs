//! Where an `http.call` step may send its request. A plan is written by an operator and
//! approved by a reviewer, but its URL is then called from inside the console's network:
//! loopback, link-local (where cloud metadata answers) and unspecified addresses, and the
//! console's and the simulator's own, are not called unless an admin allow-lists them
//! (`SWITCHYARD_HTTP_CALL_ALLOW`). The host is resolved once, every address it gives is
//! checked, and the request goes to those addresses only (no second lookup, no redirect).

use app::networks::Networks;
use std::net::{IpAddr, SocketAddr};

/// The rule, as configured.
#[derive(Debug, Clone, Default)]
pub struct Outbound {
    /// Addresses and networks called even though the rule would refuse them.
    pub allow: Networks,
    /// The console's and the simulator's own listening addresses.
    pub own: Vec<SocketAddr>,
}

/// Where a URL may be called: its host and the checked addresses to reach it at.
#[derive(Debug, Clone)]
pub struct Destination {
    pub host: String,
    pub addrs: Vec<SocketAddr>,
}

impl Destination {
    /// A client (from `builder`, with its timeouts) that reaches the host at the checked
    /// addresses only, and follows no redirect (a redirect is an answer like any).
    pub fn client(&self, builder: reqwest::ClientBuilder) -> reqwest::Result<reqwest::Client> {
        builder
            .redirect(reqwest::redirect::Policy::none())
            .resolve_to_addrs(&self.host, &self.addrs)
            .build()
    }
}

impl Outbound {
    /// Resolves `url`'s host and checks every address, or says why it is not called.
    pub async fn check(&self, url: &str) -> Result<Destination, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url} is not a URL ({e})"))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("{url} names no host"))?
            .to_owned();
        let port = parsed
            .port_or_known_default()
            .ok_or_else(|| format!("{url} names no port"))?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| format!("{host} cannot be resolved ({e}); nothing was sent"))?
            .collect();
        if addrs.is_empty() {
            return Err(format!("{host} resolves to no address; nothing was sent"));
        }
        for addr in &addrs {
            if let Some(why) = self.refusal(*addr) {
                return Err(format!(
                    "{url} is not called: {host} is {} ({why}); nothing was sent. An admin \
                     may allow it with SWITCHYARD_HTTP_CALL_ALLOW",
                    addr.ip()
                ));
            }
        }
        Ok(Destination { host, addrs })
    }

    /// Why `addr` is not called, if it is not.
    fn refusal(&self, addr: SocketAddr) -> Option<&'static str> {
        let ip = addr.ip().to_canonical();
        if self.allow.contains(ip) {
            return None;
        }
        let own = self
            .own
            .iter()
            .any(|o| o.port() == addr.port() && (o.ip() == ip || o.ip().is_unspecified()));
        if own {
            Some("the console's or the simulator's own address")
        } else if ip.is_loopback() {
            Some("a loopback address")
        } else if ip.is_unspecified() {
            Some("an unspecified address")
        } else if is_link_local(ip) {
            Some("a link-local address, where cloud metadata answers")
        } else {
            None
        }
    }
}

fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_unicast_link_local(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(rule: &Outbound, addr: &str) -> bool {
        rule.refusal(addr.parse().unwrap()).is_some()
    }

    #[test]
    fn inner_addresses_are_refused_unless_allowed() {
        let rule = Outbound {
            allow: Networks::default(),
            own: vec![
                "10.1.2.3:3000".parse().unwrap(),
                "0.0.0.0:3900".parse().unwrap(),
            ],
        };
        for inner in [
            "127.0.0.1:80",
            "[::1]:80",
            "[::ffff:127.0.0.1]:80",
            "169.254.169.254:80",
            "[fe80::1]:80",
            "0.0.0.0:80",
            "10.1.2.3:3000",
            "10.9.9.9:3900",
        ] {
            assert!(refused(&rule, inner), "{inner}");
        }
        for outer in ["10.1.2.3:443", "93.184.216.34:443", "[2001:db8::1]:80"] {
            assert!(!refused(&rule, outer), "{outer}");
        }
        let allowing = Outbound {
            allow: Networks::parse("127.0.0.0/8").unwrap(),
            ..rule
        };
        assert!(!refused(&allowing, "127.0.0.1:80"));
    }
}
