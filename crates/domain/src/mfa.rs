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
mod tests {
    use super::*;

    /// RFC 6238 Appendix B and RFC 4226 Appendix D: the ASCII string
    /// "12345678901234567890" as the key.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(*b"12345678901234567890")
    }

    fn secret() -> TotpSecret {
        let mut bytes = [0u8; SECRET_BYTES];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(11);
        }
        TotpSecret::from_bytes(bytes)
    }

    fn to_full_width(text: &str) -> String {
        text.chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
                ' ' => '\u{3000}',
                c => c,
            })
            .collect()
    }

    #[test]
    fn hotp_matches_rfc_4226_appendix_d() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, want) in expected.iter().enumerate() {
            let got = hotp(&rfc_secret(), counter as u64);
            assert_eq!(
                std::str::from_utf8(&got).unwrap(),
                *want,
                "counter {counter}"
            );
        }
    }

    #[test]
    fn totp_matches_rfc_6238_appendix_b_sha1() {
        // The RFC gives 8 digits; the last 6 are our 6-digit codes.
        let vectors = [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ];
        for (time, eight) in vectors {
            assert_eq!(code_at(&rfc_secret(), time), &eight[2..], "time {time}");
        }
    }

    #[test]
    fn code_is_zero_padded_six_digits() {
        // 1234567890 gives 005924: two leading zeros must survive.
        let code = code_at(&rfc_secret(), 1234567890);
        assert_eq!(code, "005924");
        for time in (0..3000).step_by(30) {
            let code = code_at(&secret(), time);
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn verify_accepts_previous_current_and_next_step() {
        let s = secret();
        let now = 1_700_000_015; // in the middle of a step
        let step = now / STEP_SECONDS;
        assert_eq!(verify(&s, &code_at(&s, now), now, None), Ok(step));
        assert_eq!(verify(&s, &code_at(&s, now - 30), now, None), Ok(step - 1));
        assert_eq!(verify(&s, &code_at(&s, now + 30), now, None), Ok(step + 1));
    }

    #[test]
    fn verify_refuses_two_steps_off_and_wrong_codes() {
        let s = secret();
        let now = 1_700_000_015;
        let current = code_at(&s, now);
        for offset in [-60i64, 60, -90, 90] {
            let code = code_at(&s, (now as i64 + offset) as u64);
            if code == current || code == code_at(&s, now - 30) || code == code_at(&s, now + 30) {
                continue; // a one-in-a-million coincidence, not a failure
            }
            assert_eq!(
                verify(&s, &code, now, None),
                Err(TotpProblem::Wrong),
                "{offset}"
            );
        }
        // A code from another secret is wrong too.
        let other = code_at(&rfc_secret(), now);
        assert_ne!(other, current);
        assert_eq!(verify(&s, &other, now, None), Err(TotpProblem::Wrong));
    }

    #[test]
    fn verify_refuses_reuse_of_same_or_earlier_step() {
        let s = secret();
        let now = 1_700_000_015;
        let step = now / STEP_SECONDS;
        let code = code_at(&s, now);
        assert_eq!(verify(&s, &code, now, Some(step - 1)), Ok(step));
        assert_eq!(verify(&s, &code, now, Some(step)), Err(TotpProblem::Reused));
        assert_eq!(
            verify(&s, &code, now, Some(step + 1)),
            Err(TotpProblem::Reused)
        );
        // The previous step's code after the current one has been used.
        let previous = code_at(&s, now - 30);
        assert_eq!(
            verify(&s, &previous, now, Some(step)),
            Err(TotpProblem::Reused)
        );
        // The next step's code is still fresh after the current one has been used.
        let next = code_at(&s, now + 30);
        assert_eq!(verify(&s, &next, now, Some(step)), Ok(step + 1));
    }

    #[test]
    fn verify_tolerates_spaces_and_full_width_digits() {
        let s = secret();
        let now = 1_700_000_015;
        let step = now / STEP_SECONDS;
        let code = code_at(&s, now);
        let spaced = format!("  {} {}\n", &code[..3], &code[3..]);
        assert_eq!(verify(&s, &spaced, now, None), Ok(step));
        let full = to_full_width(&code);
        assert_ne!(full, code);
        assert_eq!(verify(&s, &full, now, None), Ok(step));
        let full_spaced = format!("\u{3000}{}\u{3000}{}", &full[..9], &full[9..]);
        assert_eq!(verify(&s, &full_spaced, now, None), Ok(step));
    }

    #[test]
    fn verify_reports_malformed_input() {
        let s = secret();
        for typed in [
            "12345",
            "abcdef",
            "1234567",
            "",
            "   ",
            "12-3456",
            "１２３４５",
            "12345６７",
        ] {
            assert_eq!(
                verify(&s, typed, 1_700_000_015, None),
                Err(TotpProblem::Malformed),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn verify_at_time_zero_has_no_previous_step() {
        let s = secret();
        assert_eq!(verify(&s, &code_at(&s, 0), 0, None), Ok(0));
        assert_eq!(verify(&s, &code_at(&s, 30), 0, None), Ok(1));
    }

    #[test]
    fn problems_have_message_keys() {
        assert_eq!(TotpProblem::Malformed.message_key(), "mfa.error.malformed");
        assert_eq!(TotpProblem::Wrong.message_key(), "mfa.error.wrong");
        assert_eq!(TotpProblem::Reused.message_key(), "mfa.error.reused");
    }

    #[test]
    fn base32_matches_rfc_4648_alphabet() {
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            TotpSecret::from_bytes([0; 20]).to_base32(),
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        );
        assert_eq!(
            TotpSecret::from_bytes([0xff; 20]).to_base32(),
            "77777777777777777777777777777777"
        );
    }

    #[test]
    fn base32_round_trips() {
        let s = secret();
        let text = s.to_base32();
        assert_eq!(text.len(), 32);
        assert!(!text.contains('='));
        assert_eq!(text, text.to_ascii_uppercase());
        let back = TotpSecret::from_base32(&text).unwrap();
        assert_eq!(back.0, s.0);
    }

    #[test]
    fn from_base32_tolerates_case_spaces_and_padding() {
        let text = "gezd gnbv gy3t qojq GEZD GNBV GY3T QOJQ";
        assert_eq!(
            TotpSecret::from_base32(text).unwrap().0,
            *b"12345678901234567890"
        );
        let padded = " GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ== ";
        assert_eq!(
            TotpSecret::from_base32(padded).unwrap().0,
            *b"12345678901234567890"
        );
    }

    #[test]
    fn from_base32_refuses_wrong_length_and_characters() {
        assert!(TotpSecret::from_base32("").is_none());
        assert!(TotpSecret::from_base32("GEZDGNBVGY3TQOJQ").is_none()); // 10 bytes
        assert!(TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ").is_none());
        assert!(TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQA").is_none());
        assert!(TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1").is_none());
        assert!(TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ=Q").is_none());
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let shown = format!("{:?}", rfc_secret());
        assert!(!shown.contains("49"), "{shown}");
        assert!(!shown.contains("GEZD"), "{shown}");
    }

    #[test]
    fn otpauth_uri_percent_encodes_issuer_and_account() {
        let uri = otpauth_uri("佐久市議会", "taro yamada@example.jp", &rfc_secret());
        let issuer = "%E4%BD%90%E4%B9%85%E5%B8%82%E8%AD%B0%E4%BC%9A";
        assert_eq!(
            uri,
            format!(
                "otpauth://totp/{issuer}:taro%20yamada%40example.jp\
                 ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer={issuer}\
                 &algorithm=SHA1&digits=6&period=30"
            )
        );
        assert!(uri.is_ascii());
        assert!(!uri.contains(' '));
    }

    #[test]
    fn otpauth_uri_encodes_separators_inside_names() {
        let uri = otpauth_uri("A:B&C", "x?y=z#", &rfc_secret());
        assert!(
            uri.starts_with("otpauth://totp/A%3AB%26C:x%3Fy%3Dz%23?"),
            "{uri}"
        );
        assert!(uri.contains("&issuer=A%3AB%26C&"), "{uri}");
    }

    fn sample_random() -> Vec<u8> {
        // A simple deterministic byte stream (xorshift) standing in for a CSPRNG.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..RECOVERY_RANDOM_BYTES)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn recovery_codes_are_ten_distinct_well_formed_codes() {
        let codes = recovery_codes_from(&sample_random());
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-", "{code}");
            for c in code.chars().filter(|&c| c != '-') {
                assert!(RECOVERY_ALPHABET.contains(&(c as u8)), "{code}");
                assert!(!"0o1il".contains(c), "{code}");
            }
            assert_eq!(
                normalise_recovery_code(code).as_deref(),
                Some(code.as_str())
            );
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn recovery_codes_use_ten_bytes_each_and_depend_on_them() {
        // Only whole chunks count.
        assert_eq!(recovery_codes_from(&sample_random()[..99]).len(), 9);
        assert_eq!(recovery_codes_from(&sample_random()[..9]).len(), 0);
        // All-zero chunks give the same code, which is not repeated.
        assert_eq!(
            recovery_codes_from(&[0u8; 100]),
            vec!["22222-22222".to_string()]
        );
        let mut random = sample_random();
        let first = recovery_codes_from(&random);
        random[0] ^= 1;
        let second = recovery_codes_from(&random);
        assert_ne!(first[0], second[0]);
        assert_eq!(first[1..], second[1..]);
    }

    #[test]
    fn recovery_codes_skip_chunks_that_would_bias_the_result() {
        // An all-0xff chunk is 2^80 - 1, above the largest multiple of 31^10.
        let mut random = vec![0xff; 10];
        random.extend(sample_random());
        let codes = recovery_codes_from(&random);
        assert_eq!(codes, recovery_codes_from(&sample_random()));
    }

    #[test]
    fn recovery_codes_cover_the_whole_alphabet() {
        // Chunk value 31^10 - 1 maps to the last symbol in every position.
        let top = RECOVERY_SPACE - 1;
        let chunk = &top.to_be_bytes()[6..];
        assert_eq!(recovery_codes_from(chunk), vec!["zzzzz-zzzzz".to_string()]);
        // Value 1 puts the second symbol first (least significant symbol first).
        let mut one = [0u8; 10];
        one[9] = 1;
        assert_eq!(recovery_codes_from(&one), vec!["32222-22222".to_string()]);
    }

    #[test]
    fn normalise_accepts_what_people_type() {
        let want = Some("abcde-fghjk".to_string());
        assert_eq!(normalise_recovery_code("ABCDE-FGHJK"), want);
        assert_eq!(normalise_recovery_code(" abcde fghjk "), want);
        assert_eq!(normalise_recovery_code("abcdefghjk"), want);
        assert_eq!(normalise_recovery_code("ＡＢＣＤＥ－ＦＧＨＪＫ"), want);
        assert_eq!(
            normalise_recovery_code("ａｂｃｄｅ\u{3000}ｆｇｈｊｋ"),
            want
        );
        assert_eq!(normalise_recovery_code("abcde\u{30FC}fghjk"), want);
        assert_eq!(normalise_recovery_code("abcde\u{2212}fghjk"), want);
    }

    #[test]
    fn normalise_refuses_what_cannot_be_a_code() {
        for typed in [
            "",
            "abcde-fghj",   // 9 characters
            "abcde-fghjkm", // 11 characters
            "abcde-fghj0",  // 0 is not in the alphabet
            "abcde-fghjo",  // nor o
            "abcde-fghj1",  // nor 1
            "abcde-fghji",  // nor i
            "abcde-fghjl",  // nor l
            "abcde_fghjk",  // underscore is not a separator
            "abcde-fghjé",
            "佐久市議会-fghjk",
        ] {
            assert_eq!(normalise_recovery_code(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn recovery_hash_is_sha256_hex() {
        // SHA-256("abc") from FIPS 180-2.
        assert_eq!(
            hash_recovery_code("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let a = hash_recovery_code("abcde-fghjk");
        let b = hash_recovery_code("abcde-fghjm");
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        assert_ne!(a, b);
        assert_eq!(a, hash_recovery_code("abcde-fghjk"));
    }

    fn view_box_size(svg: &str) -> i32 {
        let start = svg.find("viewBox=\"0 0 ").unwrap() + "viewBox=\"0 0 ".len();
        let rest = &svg[start..];
        let n: &str = rest.split(' ').next().unwrap();
        n.parse().unwrap()
    }

    #[test]
    fn qr_svg_is_a_plain_svg_document() {
        let svg = qr_svg("hello", 4, "<佐久> & \"QR\"").unwrap();
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        assert!(svg.ends_with("</svg>"));
        // Version 1 at level M: 21 modules plus a quiet zone of 4 on each side.
        assert!(svg.contains("viewBox=\"0 0 29 29\""), "{svg}");
        assert!(svg.contains("width=\"116\" height=\"116\""), "{svg}");
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains("fill=\"#000\""));
        assert!(svg.contains("<rect width=\"29\" height=\"29\" fill=\"#fff\"/>"));
        assert!(
            svg.contains("<title>&lt;佐久&gt; &amp; &quot;QR&quot;</title>"),
            "{svg}"
        );
        assert!(!svg.to_lowercase().contains("style"));
    }

    #[test]
    fn qr_svg_path_draws_the_finder_patterns() {
        let svg = qr_svg("hello", 1, "QR").unwrap();
        let d_start = svg.find(" d=\"").unwrap() + 4;
        let d = &svg[d_start..d_start + svg[d_start..].find('"').unwrap()];
        // Rebuild the module grid from the path and check the three finder patterns.
        let mut dark = [[false; 29]; 29];
        let mut runs = Vec::new();
        for run in d.split('z').filter(|r| !r.is_empty()) {
            let rest = run.strip_prefix('M').unwrap();
            let (xy, rest) = rest.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (w, rest) = rest.split_once('v').unwrap();
            let (one, back) = rest.split_once('h').unwrap();
            assert_eq!(one, "1");
            assert_eq!(back, format!("-{w}"));
            let (x, y, w): (usize, usize, usize) =
                (x.parse().unwrap(), y.parse().unwrap(), w.parse().unwrap());
            assert!(w >= 1);
            runs.push((x, y, w));
            for cell in &mut dark[y][x..x + w] {
                assert!(!*cell, "runs overlap");
                *cell = true;
            }
        }
        // Runs are maximal: the modules just before and after each run are light.
        for &(x, y, w) in &runs {
            assert!(
                !dark[y][x - 1] && !dark[y][x + w],
                "run at ({x},{y}) is not maximal"
            );
        }
        // Format information beside the top-left finder (ISO/IEC 18004 7.9): 15 bits
        // masked with 0x5412, whose top two bits give the error correction level
        // (00 = M).
        let module = |x: usize, y: usize| u32::from(dark[y + 4][x + 4]);
        let mut format = 0u32;
        for i in 0..=5 {
            format |= module(8, i) << i;
        }
        format |= module(8, 7) << 6;
        format |= module(8, 8) << 7;
        format |= module(7, 8) << 8;
        for i in 9..15 {
            format |= module(14 - i, 8) << i;
        }
        assert_eq!(
            (format ^ 0x5412) >> 13,
            0b00,
            "level is not Medium: {format:015b}"
        );
        // The quiet zone stays light.
        for (y, row) in dark.iter().enumerate() {
            for (x, &cell) in row.iter().enumerate() {
                let inside = (4..25).contains(&x) && (4..25).contains(&y);
                assert!(
                    inside || !cell,
                    "dark module in the quiet zone at ({x},{y})"
                );
            }
        }
        // Finder pattern: 7x7 dark ring, light ring, 3x3 dark core.
        for (ox, oy) in [(4, 4), (18, 4), (4, 18)] {
            for dy in 0..7 {
                for dx in 0..7 {
                    let ring = dx == 0 || dx == 6 || dy == 0 || dy == 6;
                    let core = (2..=4).contains(&dx) && (2..=4).contains(&dy);
                    assert_eq!(
                        dark[oy + dy][ox + dx],
                        ring || core,
                        "({dx},{dy}) at {ox},{oy}"
                    );
                }
            }
        }
    }

    #[test]
    fn qr_svg_merges_runs_into_one_rectangle_each() {
        let svg = qr_svg("hello", 1, "QR").unwrap();
        // The top row of the top-left finder is one 7-module run starting at (4,4).
        assert!(svg.contains("M4 4h7v1h-7z"), "{svg}");
    }

    #[test]
    fn qr_svg_grows_with_the_text_and_refuses_what_does_not_fit() {
        let uri = otpauth_uri("佐久市議会", "taro.yamada@example.jp", &secret());
        let svg = qr_svg(&uri, 4, "QR").unwrap();
        let n = view_box_size(&svg);
        assert!(n > 29 && (n - 8 - 17) % 4 == 0, "{n}");
        // 2331 bytes is the binary capacity of version 40 at level M.
        let svg = qr_svg(&"a".repeat(2331), 1, "QR").unwrap();
        assert_eq!(view_box_size(&svg), 177 + 8);
        assert!(qr_svg(&"a".repeat(2332), 1, "QR").is_none());
        assert!(qr_svg(&"a".repeat(3000), 1, "QR").is_none());
    }

    #[test]
    fn qr_svg_treats_zero_scale_as_one_and_drops_control_characters_from_title() {
        let svg = qr_svg("hello", 0, "a\u{0}b\u{1b}c").unwrap();
        assert!(svg.contains("width=\"29\" height=\"29\""));
        assert!(svg.contains("<title>abc</title>"), "{svg}");
    }
}
