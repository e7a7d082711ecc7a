//! Addresses and networks as an operator writes them in the settings (`10.0.0.5`,
//! `10.0.0.0/8`, `fd00::/8`): who may read `/metrics`, which reverse proxies are believed.

use std::net::IpAddr;

/// One address, or a network as `address/prefix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    /// `10.0.0.5`, `10.0.0.0/8`, `::1` or `fd00::/8`.
    pub fn parse(text: &str) -> Option<AddressRange> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().ok()?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(AddressRange { network, prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let (network, address, bits) = match (self.network, address.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => (u32::from(n) as u128, u32::from(a) as u128, 32),
            (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        shift >= bits || (network >> shift) == (address >> shift)
    }
}

/// A comma- or space-separated list of [`AddressRange`]s; the entry that is not one is
/// the error.
pub fn parse_allow_list(text: &str) -> Result<Vec<AddressRange>, String> {
    text.split([',', ' '])
        .filter(|part| !part.trim().is_empty())
        .map(|part| AddressRange::parse(part).ok_or_else(|| part.trim().to_owned()))
        .collect()
}

/// The client behind trusted reverse proxies: `X-Forwarded-For` is read from the right
/// (each proxy appends the address it was reached from), skipping the proxies of
/// `trusted`; the first address that is not one of them is the client. A request from
/// an untrusted peer keeps the peer's address, whatever it claims.
pub fn forwarded_client<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    trusted: &[AddressRange],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    let mut client = peer;
    if !is_trusted(peer) {
        return client;
    }
    for hop in forwarded_for.rev().flat_map(|v| v.rsplit(',')) {
        let hop = hop.trim();
        let parsed = hop
            .parse::<IpAddr>()
            .ok()
            .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()));
        let Some(ip) = parsed else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_ranges_hold_what_they_name() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let net = AddressRange::parse("10.20.0.0/16").unwrap();
        assert!(net.contains(ip("10.20.3.4")));
        assert!(!net.contains(ip("10.21.0.1")));
        let one = AddressRange::parse("127.0.0.1").unwrap();
        assert!(one.contains(ip("127.0.0.1")));
        assert!(
            one.contains(ip("::ffff:127.0.0.1")),
            "IPv4 seen through IPv6"
        );
        assert!(!one.contains(ip("127.0.0.2")));
        assert!(
            AddressRange::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("192.0.2.1"))
        );
        assert!(
            AddressRange::parse("fd00::/8")
                .unwrap()
                .contains(ip("fd12::1"))
        );
        assert!(
            !AddressRange::parse("fd00::/8")
                .unwrap()
                .contains(ip("10.0.0.1"))
        );
        assert_eq!(AddressRange::parse("10.0.0.0/33"), None);
        assert_eq!(AddressRange::parse("gikai"), None);
        assert_eq!(parse_allow_list("127.0.0.1, 10.0.0.0/8").unwrap().len(), 2);
        assert_eq!(
            parse_allow_list("127.0.0.1, 10.0.0/8"),
            Err("10.0.0/8".to_owned())
        );
        assert!(parse_allow_list("").unwrap().is_empty());
    }

    #[test]
    fn the_client_behind_trusted_proxies_is_the_first_untrusted_hop_from_the_right() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let trusted = parse_allow_list("127.0.0.1, 10.9.0.0/16").unwrap();
        let client = |peer: &str, headers: &[&str]| {
            forwarded_client(ip(peer), headers.iter().copied(), &trusted)
        };
        assert_eq!(client("127.0.0.1", &["192.0.2.7"]), ip("192.0.2.7"));
        // A client that writes its own header cannot hide behind it.
        assert_eq!(
            client("127.0.0.1", &["198.51.100.1, 192.0.2.7, 10.9.1.1"]),
            ip("192.0.2.7")
        );
        assert_eq!(
            client("127.0.0.1", &["198.51.100.1", "192.0.2.7:5050"]),
            ip("192.0.2.7")
        );
        assert_eq!(client("127.0.0.1", &[]), ip("127.0.0.1"));
        assert_eq!(client("127.0.0.1", &["10.9.1.1"]), ip("10.9.1.1"));
        assert_eq!(client("127.0.0.1", &["unknown"]), ip("127.0.0.1"));
        assert_eq!(
            client("192.0.2.50", &["127.0.0.1"]),
            ip("192.0.2.50"),
            "an untrusted peer is taken as it is"
        );
    }
}
