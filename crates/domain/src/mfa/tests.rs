//! Tests of the mfa module.
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
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
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
