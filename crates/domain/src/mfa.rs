//! Second factor for sign-in: time-based one-time passwords (RFC 6238 on top of
//! RFC 4226, HMAC-SHA-1, 6 digits, 30-second steps: what every authenticator app
//! understands), one-time recovery codes, and the enrolment QR code as SVG.
//!
//! Pure: the caller passes the current unix time and any random bytes; nothing here
//! reads a clock, draws randomness or does I/O.

use hmac::{Hmac, KeyInit, Mac};
use qrcodegen::{QrCode, QrCodeEcc, QrSegment, Version};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Length of a step in seconds (RFC 6238's recommended value).
pub const STEP_SECONDS: u64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Bytes in a secret: 160 bits, RFC 4226's recommendation for HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// 160 bits in 5-bit symbols: exactly 32 characters, so never any padding.
const SECRET_BASE32_CHARS: usize = SECRET_BYTES * 8 / 5;

/// A TOTP secret: 20 bytes (160 bits, RFC 4226's recommendation).
///
/// `Debug` never shows the bytes, so a secret can't leak through a log line.
#[derive(Clone)]
pub struct TotpSecret([u8; SECRET_BYTES]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// Wraps 20 bytes that the caller drew from a cryptographically secure source.
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> TotpSecret {
        TotpSecret(bytes)
    }

    /// RFC 4648 base32 without padding, upper case (what authenticator apps accept
    /// and what we store).
    pub fn to_base32(&self) -> String {
        let mut out = String::with_capacity(SECRET_BASE32_CHARS);
        let mut buffer: u32 = 0;
        let mut bits: u32 = 0;
        for &byte in &self.0 {
            buffer = (buffer << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                let index = (buffer >> bits) & 0x1f;
                out.push(char::from(BASE32_ALPHABET[index as usize]));
            }
            buffer &= (1 << bits) - 1;
        }
        // 160 is a multiple of 5, so no bits are left over.
        debug_assert_eq!(bits, 0);
        out
    }

    /// Reads base32 as people copy it: lower case, spaces (also full-width ones),
    /// hyphens and trailing `=` padding are tolerated. `None` unless it is exactly
    /// 20 bytes of valid base32.
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        let mut symbols = Vec::with_capacity(SECRET_BASE32_CHARS);
        for c in text
            .trim_end_matches(|c: char| c == '=' || c.is_whitespace())
            .chars()
        {
            if c.is_whitespace() || c == '-' {
                continue;
            }
            let value = base32_value(c)?;
            symbols.push(value);
            if symbols.len() > SECRET_BASE32_CHARS {
                return None;
            }
        }
        if symbols.len() != SECRET_BASE32_CHARS {
            return None;
        }
        let mut bytes = [0u8; SECRET_BYTES];
        let mut buffer: u32 = 0;
        let mut bits: u32 = 0;
        let mut filled = 0;
        for value in symbols {
            buffer = (buffer << 5) | u32::from(value);
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes[filled] = ((buffer >> bits) & 0xff) as u8;
                filled += 1;
                buffer &= (1 << bits) - 1;
            }
        }
        debug_assert_eq!(filled, SECRET_BYTES);
        Some(TotpSecret(bytes))
    }
}

fn base32_value(c: char) -> Option<u8> {
    match c.to_ascii_uppercase() {
        c @ 'A'..='Z' => Some(c as u8 - b'A'),
        c @ '2'..='7' => Some(c as u8 - b'2' + 26),
        _ => None,
    }
}

/// `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`,
/// the Key URI Format that authenticator apps read from the QR code. Issuer and
/// account are percent-encoded as UTF-8 (they can be Japanese, e.g. 佐久市議会); a
/// colon inside either is encoded too, so it can't be mistaken for the separator.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &TotpSecret) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
         &algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        account = percent_encode(account),
        secret = secret.to_base32(),
    )
}

/// Percent-encodes every byte except RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String can't fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// RFC 4226 HOTP value for one counter, as ASCII digits.
fn hotp(secret: &TotpSecret, counter: u64) -> [u8; DIGITS as usize] {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&secret.0)
        .expect("HMAC accepts keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation (RFC 4226 section 5.3).
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    let mut value = binary % 10u32.pow(DIGITS);
    let mut out = [b'0'; DIGITS as usize];
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out
}

/// The code for a time (for tests and for showing nothing else): zero-padded,
/// 6 digits.
pub fn code_at(secret: &TotpSecret, unix_time: u64) -> String {
    hotp(secret, unix_time / STEP_SECONDS)
        .iter()
        .map(|&b| char::from(b))
        .collect()
}

/// Why a typed TOTP code was refused. Each variant names a locale key for the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpProblem {
    #[error("not a {DIGITS}-digit code")]
    Malformed,
    #[error("wrong code")]
    Wrong,
    #[error("code already used")]
    Reused,
}

impl TotpProblem {
    pub fn message_key(&self) -> &'static str {
        match self {
            TotpProblem::Malformed => "mfa.error.malformed",
            TotpProblem::Wrong => "mfa.error.wrong",
            TotpProblem::Reused => "mfa.error.reused",
        }
    }
}

/// Maps full-width ASCII (U+FF01–U+FF5E), as a Japanese IME in full-width mode
/// produces it, to plain ASCII; other characters pass unchanged.
fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The 6 ASCII digits of a typed code, ignoring white space (surrounding, or in
/// the middle as in "123 456", full-width included) and accepting full-width digits.
fn typed_digits(typed: &str) -> Option<[u8; DIGITS as usize]> {
    // Nothing sensible is this long; don't walk a pasted novel.
    if typed.len() > 64 {
        return None;
    }
    let mut out = [0u8; DIGITS as usize];
    let mut count = 0;
    for c in typed.chars().filter(|c| !c.is_whitespace()).map(narrow) {
        if !c.is_ascii_digit() || count == out.len() {
            return None;
        }
        out[count] = c as u8;
        count += 1;
    }
    (count == out.len()).then_some(out)
}

/// Compares two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// Checks a typed code at `unix_time`, accepting the previous, current and next
/// 30-second step (clock drift, RFC 6238 section 5.2).
///
/// Refuses a step at or before `last_used_step` so a code can never be used twice
/// (the caller stores the returned step and passes it back next time). Accepts
/// surrounding spaces, a space in the middle ("123 456") and full-width digits
/// (０-９). Returns the matched step on success. All three steps are always
/// computed and compared in constant time, so timing tells nothing about which,
/// if any, matched.
pub fn verify(
    secret: &TotpSecret,
    typed: &str,
    unix_time: u64,
    last_used_step: Option<u64>,
) -> Result<u64, TotpProblem> {
    let typed = typed_digits(typed).ok_or(TotpProblem::Malformed)?;
    let current = unix_time / STEP_SECONDS;
    let window = [
        current.checked_sub(1),
        Some(current),
        current.checked_add(1),
    ];

    let mut fresh_match: Option<u64> = None;
    let mut stale_match = false;
    for step in window.into_iter().flatten() {
        let matches = constant_time_eq(&hotp(secret, step), &typed);
        let fresh = last_used_step.is_none_or(|last| step > last);
        if matches && fresh {
            // Steps ascend, so this keeps the earliest fresh one; later steps stay
            // usable should the same digits come up again.
            fresh_match = fresh_match.or(Some(step));
        } else if matches {
            stale_match = true;
        }
    }
    match (fresh_match, stale_match) {
        (Some(step), _) => Ok(step),
        (None, true) => Err(TotpProblem::Reused),
        (None, false) => Err(TotpProblem::Wrong),
    }
}

/// One-time recovery codes handed out at enrolment.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Characters in a code, not counting the hyphen in the middle.
pub const RECOVERY_CODE_CHARS: usize = 10;
/// Random bytes consumed per code attempt (see [`recovery_codes_from`]).
pub const RECOVERY_BYTES_PER_CODE: usize = 10;
/// What callers should pass to [`recovery_codes_from`]: two spare chunks beyond the
/// minimum, so that a short result is practically impossible (below 1e-18).
pub const RECOVERY_RANDOM_BYTES: usize = (RECOVERY_CODE_COUNT + 2) * RECOVERY_BYTES_PER_CODE;

/// Digits and lower-case letters without 0, o, 1, i and l, which people confuse
/// when they copy a code from paper: 31 symbols, so a 10-character code carries
/// 10·log2(31) ≈ 49.5 bits.
const RECOVERY_ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";
const RECOVERY_BASE: u128 = RECOVERY_ALPHABET.len() as u128;
/// 31^10, the number of distinct codes.
const RECOVERY_SPACE: u128 = RECOVERY_BASE.pow(RECOVERY_CODE_CHARS as u32);
/// The largest multiple of 31^10 that fits in 80 bits: chunks at or above it are
/// rejected, so every code is exactly equally likely (no modulo bias).
const RECOVERY_LIMIT: u128 = ((1u128 << 80) / RECOVERY_SPACE) * RECOVERY_SPACE;
// The limit is a whole number of code spaces and leaves less than one behind.
const _: () = assert!(
    RECOVERY_LIMIT.is_multiple_of(RECOVERY_SPACE)
        && RECOVERY_LIMIT <= 1 << 80
        && (1 << 80) - RECOVERY_LIMIT < RECOVERY_SPACE
);

/// Builds codes from caller-supplied random bytes, shown as "xxxxx-xxxxx".
///
/// Each 10-byte chunk is read as an 80-bit number; a chunk is rejected if it falls
/// in the incomplete last block above a multiple of 31^10 (chance about 7e-10) or
/// would repeat an earlier code, and is otherwise written in base 31. Stops after
/// [`RECOVERY_CODE_COUNT`] codes; returns fewer only if the bytes run out, so pass
/// [`RECOVERY_RANDOM_BYTES`] bytes (100 is the bare minimum) and treat a short
/// result as an error.
pub fn recovery_codes_from(random: &[u8]) -> Vec<String> {
    let mut codes: Vec<String> = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for chunk in random.chunks_exact(RECOVERY_BYTES_PER_CODE) {
        if codes.len() == RECOVERY_CODE_COUNT {
            break;
        }
        let value = chunk
            .iter()
            .fold(0u128, |acc, &byte| (acc << 8) | u128::from(byte));
        if value >= RECOVERY_LIMIT {
            continue;
        }
        let mut value = value % RECOVERY_SPACE;
        let mut symbols = [0u8; RECOVERY_CODE_CHARS];
        for slot in symbols.iter_mut() {
            *slot = RECOVERY_ALPHABET[(value % RECOVERY_BASE) as usize];
            value /= RECOVERY_BASE;
        }
        let code = format_recovery_code(&symbols);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

fn format_recovery_code(symbols: &[u8; RECOVERY_CODE_CHARS]) -> String {
    let half = RECOVERY_CODE_CHARS / 2;
    let mut out = String::with_capacity(RECOVERY_CODE_CHARS + 1);
    out.extend(symbols[..half].iter().map(|&b| char::from(b)));
    out.push('-');
    out.extend(symbols[half..].iter().map(|&b| char::from(b)));
    out
}

/// Dashes that people type, or that an IME produces, where a hyphen was meant.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF70}'
    )
}

/// Normalises what a person typed (case, spaces, hyphens, full-width characters)
/// to the canonical "xxxxx-xxxxx" form, or `None` if it can't be a code.
pub fn normalise_recovery_code(typed: &str) -> Option<String> {
    if typed.len() > 128 {
        return None;
    }
    let mut symbols = [0u8; RECOVERY_CODE_CHARS];
    let mut count = 0;
    for c in typed.chars().map(narrow) {
        if c.is_whitespace() || is_dash(c) {
            continue;
        }
        let c = c.to_ascii_lowercase();
        if !c.is_ascii() || !RECOVERY_ALPHABET.contains(&(c as u8)) || count == symbols.len() {
            return None;
        }
        symbols[count] = c as u8;
        count += 1;
    }
    (count == symbols.len()).then(|| format_recovery_code(&symbols))
}

/// SHA-256 hex of the canonical code, for storing and looking up.
///
/// Why a fast, unsalted hash and not Argon2 as for passwords: a code is not chosen
/// by a person but drawn uniformly from 31^10 ≈ 2^49.5 values, so there is no
/// dictionary to try and no reuse across sites to exploit; it only stands in for the
/// second factor (the password is still needed); it is single-use and all codes are
/// replaced when they are regenerated. Anyone who can read the stored hashes can
/// also read the TOTP secret beside them, so a slow hash would protect nothing
/// extra. A deterministic hash also lets sign-in find the matching code with one
/// lookup, where a salted slow hash would cost ten Argon2 runs per attempt, an
/// easy way to overload the server.
pub fn hash_recovery_code(canonical: &str) -> String {
    let digest = Sha256::digest(canonical.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        // Writing to a String can't fail.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Light modules around the symbol, as the QR standard asks.
const QUIET_ZONE: i32 = 4;

/// A QR code of `text` as a standalone SVG document (for an
/// `<img src="data:image/svg+xml;base64,…">` or served as `image/svg+xml`).
///
/// Error correction Medium, a quiet zone of 4 modules, the dark modules as one
/// `<path>` of horizontal runs on a white background, the viewBox in module units
/// and width/height of `scale` CSS pixels per module (0 counts as 1). Only
/// presentation attributes, no `style`, so a strict Content-Security-Policy is
/// happy. `label` becomes the `<title>`. `None` if the text doesn't fit in a QR
/// code (more than 2331 bytes of arbitrary text at level Medium).
pub fn qr_svg(text: &str, scale: u32, label: &str) -> Option<String> {
    let segments = QrSegment::make_segments(text);
    let qr = QrCode::encode_segments_advanced(
        &segments,
        QrCodeEcc::Medium,
        Version::MIN,
        Version::MAX,
        None,
        false,
    )
    .ok()?;
    let size = qr.size();
    let total = size + 2 * QUIET_ZONE;
    let pixels = u64::from(scale.max(1)) * total as u64;

    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !qr.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && qr.get_module(x, y) {
                x += 1;
            }
            let width = x - start;
            // Writing to a String can't fail.
            let _ = write!(
                path,
                "M{} {}h{width}v1h-{width}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            );
        }
    }

    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" \
         width=\"{pixels}\" height=\"{pixels}\" viewBox=\"0 0 {total} {total}\" \
         shape-rendering=\"crispEdges\" role=\"img\">\
         <title>{title}</title>\
         <rect width=\"{total}\" height=\"{total}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/>\
         </svg>",
        title = xml_escape(label),
    ))
}

/// Escapes text for XML content or attributes, and drops characters that XML 1.0
/// forbids altogether (control characters other than tab, line feed and return).
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
