//! IPv4 addresses and prefixes, behind the functions of `ip.rs`.

// ---------------------------------------------------------------------------
// IPv4
// ---------------------------------------------------------------------------

/// An IPv4 address with its prefix length (32 when none is written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Prefix {
    pub address: u32,
    pub prefix: u8,
}

impl Ipv4Prefix {
    /// Reads `a.b.c.d` or `a.b.c.d/n` (IP-prefix notation, n = 0–32), with
    /// surrounding whitespace. Decision: exactly four decimal parts of one
    /// to three digits, each at most 255 (no hex, octal or short forms).
    pub fn parse(text: &str) -> Option<Ipv4Prefix> {
        let t = text.trim();
        let (addr, prefix) = match t.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n: u8 = p.parse().ok()?;
                (a, n)
            }
            None => (t, 32),
        };
        if prefix > 32 {
            return None;
        }
        let mut address: u32 = 0;
        let mut parts = 0;
        for part in addr.split('.') {
            if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let v: u32 = part.parse().ok()?;
            if v > 255 {
                return None;
            }
            address = address << 8 | v;
            parts += 1;
        }
        (parts == 4).then_some(Ipv4Prefix { address, prefix })
    }

    /// The address with the bits past the prefix cleared.
    pub fn masked(self) -> u32 {
        self.address & ipv4_mask(self.prefix)
    }
}

fn ipv4_mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

/// `parse_ipv4(ip)` (docs: `parse-ipv4-function`): the address as a long,
/// masked by its prefix (`192.168.1.1/24` → 3232235776). `None` (null) for
/// text that is not an IPv4 address.
pub fn parse_ipv4(ip: &str) -> Option<i64> {
    Ipv4Prefix::parse(ip).map(|p| i64::from(p.masked()))
}

/// `parse_ipv4_mask(ip, prefix)`: the address masked to `prefix` bits
/// (0–32; `None` outside). Docs: `parse-ipv4-mask-function`.
pub fn parse_ipv4_mask(ip: &str, prefix: i64) -> Option<i64> {
    let p = Ipv4Prefix::parse(ip)?;
    let extra = u8::try_from(prefix).ok().filter(|&n| n <= 32)?;
    Some(i64::from(p.address & ipv4_mask(p.prefix.min(extra))))
}

/// `ipv4_compare(ip1, ip2 [, prefix])`: -1, 0 or 1 comparing the two
/// addresses under the shortest of their prefixes and `prefix` (docs:
/// `ipv4-compare-function`). `None` if either does not parse or `prefix`
/// is outside 0–32.
pub fn ipv4_compare(ip1: &str, ip2: &str, prefix: Option<i64>) -> Option<i64> {
    let a = Ipv4Prefix::parse(ip1)?;
    let b = Ipv4Prefix::parse(ip2)?;
    let mut bits = a.prefix.min(b.prefix);
    if let Some(p) = prefix {
        bits = bits.min(u8::try_from(p).ok().filter(|&n| n <= 32)?);
    }
    let m = ipv4_mask(bits);
    Some(match (a.address & m).cmp(&(b.address & m)) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    })
}

/// `ipv4_is_match(ip1, ip2 [, prefix])` (docs: `ipv4-is-match-function`):
/// equality under the combined prefix, as [`ipv4_compare`].
pub fn ipv4_is_match(ip1: &str, ip2: &str, prefix: Option<i64>) -> Option<bool> {
    ipv4_compare(ip1, ip2, prefix).map(|c| c == 0)
}

/// `ipv4_is_in_range(address, range)` (docs: `ipv4-is-in-range-function`):
/// whether the address lies in the range written in IP-prefix notation
/// (`192.168.1.1` is in `192.168.1.255/24`). `None` if either does not
/// parse.
pub fn ipv4_is_in_range(address: &str, range: &str) -> Option<bool> {
    ipv4_is_match(address, range, None)
}

/// `ipv4_is_private(ip)` (docs: `ipv4-is-private-function`): in 10.0.0.0/8,
/// 172.16.0.0/12 or 192.168.0.0/16 (`127.0.0.1` is not private). A prefix
/// in the input masks the address first (`192.168.1.1/24` is private).
/// `None` if the text does not parse.
pub fn ipv4_is_private(ip: &str) -> Option<bool> {
    let a = Ipv4Prefix::parse(ip)?.masked();
    Some(
        a & 0xFF00_0000 == 0x0A00_0000
            || a & 0xFFF0_0000 == 0xAC10_0000
            || a & 0xFFFF_0000 == 0xC0A8_0000,
    )
}
