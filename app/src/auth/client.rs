//! Who is on the other end of a request: its address (for the audit log and throttling)
//! and whether it came over https (for the cookie's `Secure` flag). Anyone can write
//! `X-Forwarded-For` and `X-Forwarded-Proto`, so they are believed only on connections
//! from a configured proxy; every other request is the connection's own peer.

use crate::networks::Networks;
use http::HeaderMap;
use std::net::IpAddr;

/// Most `X-Forwarded-For` entries read, so a long header costs bounded work.
const MOST_HOPS: usize = 32;

/// The caller as far as this server can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub addr: Option<IpAddr>,
    pub https: bool,
}

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Networks);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and networks
    /// (`10.0.0.7, 192.168.1.0/24, ::1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        Networks::parse(list).map(Self)
    }

    pub fn trusts(&self, addr: IpAddr) -> bool {
        self.0.contains(addr)
    }

    /// The client of a request that arrived from `peer` with these headers. Through a
    /// trusted proxy, the client is the rightmost `X-Forwarded-For` entry that is not
    /// itself a trusted proxy (entries to its left were written by the caller).
    pub fn client(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
        scheme: Option<&str>,
    ) -> Client {
        let direct = Client {
            addr: peer.map(|p| p.to_canonical()),
            https: scheme.is_some_and(|s| s.eq_ignore_ascii_case("https")),
        };
        let Some(peer) = peer.filter(|&p| self.trusts(p)) else {
            return direct;
        };
        let mut addr = peer.to_canonical();
        for hop in forwarded_for(headers) {
            let Some(hop) = hop else { break };
            addr = hop.to_canonical();
            if !self.trusts(addr) {
                break;
            }
        }
        let proto = last_value(headers, "x-forwarded-proto");
        Client {
            addr: Some(addr),
            https: proto.map_or(direct.https, |p| p.eq_ignore_ascii_case("https")),
        }
    }
}

/// `X-Forwarded-For` entries from the right (nearest hop first); `None` for one that is
/// not an address, which ends what can be believed.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|value| value.to_str().unwrap_or(""))
        .flat_map(|value| value.split(','))
        .collect();
    entries
        .iter()
        .rev()
        .take(MOST_HOPS)
        .map(|entry| entry.trim().parse().ok())
        .collect()
}

fn last_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(name)
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_forwarding_headers_are_ignored() {
        let none = TrustedProxies::default();
        let forged = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            none.client(Some(ip("192.0.2.1")), &forged, None),
            Client {
                addr: Some(ip("192.0.2.1")),
                https: false
            }
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_the_scheme() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, ::1").unwrap();
        let via = headers(&[
            ("x-forwarded-for", "forged, 198.51.100.7, 10.1.2.3"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = proxies.client(Some(ip("10.0.0.5")), &via, None);
        assert_eq!(client.addr, Some(ip("198.51.100.7")));
        assert!(client.https);

        // A header from a peer that is not a proxy is the caller's own claim.
        let direct = proxies.client(Some(ip("198.51.100.8")), &via, None);
        assert_eq!(direct.addr, Some(ip("198.51.100.8")));
        assert!(!direct.https);
    }

    #[test]
    fn garbage_ends_the_chain_at_the_last_hop_believed() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        let long = format!("{},10.9.9.9", "x".repeat(500));
        let client = proxies.client(
            Some(ip("127.0.0.1")),
            &headers(&[("x-forwarded-for", &long)]),
            None,
        );
        assert_eq!(client.addr, Some(ip("10.9.9.9")));
        let client = proxies.client(
            Some(ip("127.0.0.1")),
            &headers(&[("x-forwarded-for", "not an address")]),
            None,
        );
        assert_eq!(client.addr, Some(ip("127.0.0.1")));
    }

    #[test]
    fn bad_proxy_lists_are_refused() {
        assert!(
            !TrustedProxies::parse("")
                .unwrap()
                .trusts("127.0.0.1".parse().unwrap())
        );
        assert!(TrustedProxies::parse("10.0.0.1, 2001:db8::/32").is_ok());
        assert!(TrustedProxies::parse("10.0.0.1, proxy.example").is_err());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
