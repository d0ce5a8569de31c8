//! A list of IP addresses and networks, as settings name them (`10.0.0.7, 192.168.1.0/24,
//! ::1`): the trusted reverse proxies, the addresses `http.call` may reach.

use ipnet::IpNet;
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Networks(Arc<[IpNet]>);

impl Networks {
    /// Parses a comma-separated list of addresses and networks.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{item:?} is not an IP address or network"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|nets| Self(nets.into()))
    }

    /// Whether `addr` (an IPv4-mapped IPv6 address as its IPv4 one) is in the list.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        self.0.iter().any(|net| net.contains(&addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_networks_are_parsed_and_matched() {
        let list = Networks::parse(" 10.0.0.7, 192.168.1.0/24,::1 ").unwrap();
        for inside in ["10.0.0.7", "192.168.1.200", "::1", "::ffff:10.0.0.7"] {
            assert!(list.contains(inside.parse().unwrap()), "{inside}");
        }
        assert!(!list.contains("10.0.0.8".parse().unwrap()));
        assert!(Networks::parse("not-an-address").is_err());
        assert!(
            !Networks::parse("")
                .unwrap()
                .contains("127.0.0.1".parse().unwrap())
        );
    }
}
