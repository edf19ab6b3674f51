//! Hostile and random input: path segments, query values, JSON values, raw JSON text,
//! form values, `Authorization` values and source addresses. Everything random comes
//! from the test's seeded RNG.

use std::net::Ipv4Addr;

use rand::{rngs::StdRng, Rng};
use serde_json::{json, Value};

use super::http::encode;

/// A whole body: what it is, its content type, its bytes.
pub(super) type Body = (&'static str, Option<&'static [u8]>, Vec<u8>);

/// A field's value: as shown, the value (`None`: the field left out), and the raw JSON
/// text that replaces it (then the value is the `RAW` placeholder).
pub(super) type FieldValue = (String, Option<Value>, Option<&'static [u8]>);

/// A placeholder string, replaced in the serialised body by raw bytes.
pub(super) const RAW: &str = "@@raw@@";

/// Path segments and query values, percent-encoded as sent.
pub(super) fn hostile_segments(rng: &mut StdRng) -> Vec<String> {
    let mut out: Vec<String> = [
        "%00",
        "abc%00def",
        "%FF",
        "%FE%FF",
        "%C3%28",
        "%C0%AF",
        "%ED%A0%80",
        "%F4%90%80%80",
        "%E2%82",
        "..",
        ".",
        "%2E%2E",
        "%2e",
        "%2F",
        "a%2Fb",
        "..%2F..%2Fetc%2Fpasswd",
        "%5C..%5C",
        "%20",
        "%09",
        "%0D%0Ax",
        "%25",
        "%",
        "%G0",
        "%%",
        "+",
        "-1",
        "0",
        "00000000000000000000000000000000",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "18446744073709551616",
        "1e400",
        "NaN",
        "1.5",
        "%2B33",
        "12%2034",
        "%27%20OR%201%3D1%20--",
        "%3Cscript%3E",
        "%7B%7D",
        "%E2%80%AE",
        "%EF%BB%BF1",
        "%F0%9F%92%A9",
        "%D9%A3%D9%A4%D9%A5%D9%A6",
        "%EF%BC%91%EF%BC%92%EF%BC%93",
        "%E2%85%A7",
        "%C2%B2%C2%B3",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push("9".repeat(5000));
    out.push("%FF".repeat(3000));
    out.push("a".repeat(20_000));
    for _ in 0..6 {
        let len = rng.random_range(1..48);
        out.push(encode(&random_bytes(rng, len)));
    }
    out
}

pub(super) fn hostile_values() -> Vec<Value> {
    vec![
        json!(""),
        json!(" "),
        json!("\u{0}"),
        json!("abc\u{0}def"),
        json!("\u{1}\u{8}\u{1b}[31m\u{7f}"),
        json!("a\r\nBcc: victim@example.fr"),
        json!("\t"),
        json!("\u{202e}exe.txt"),
        json!("\u{feff}"),
        json!("\u{fffd}\u{ffff}"),
        json!("\u{10ffff}"),
        json!("💩👨‍👩‍👧"),
        json!("e\u{301}\u{301}\u{301}"),
        json!("٣٤٥٦٧٨٩٠١٢"),
        json!("０１２３４５６７８９"),
        json!("Ⅷ²³"),
        json!("'; DROP TABLE accounts; --"),
        json!("%s%n%x%00"),
        json!("<script>alert(1)</script>"),
        json!("../../../etc/passwd"),
        json!("  padded  "),
        json!("null"),
        json!("99999999999999999999999"),
        json!("-1"),
        json!("@"),
        json!("a@b@c"),
        json!("x".repeat(3000)),
        json!("é".repeat(4000)),
        json!("x".repeat(15_500)),
        json!(0),
        json!(-1),
        json!(1),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1.5),
        json!(-0.0),
        json!(1e308),
        json!(-1e308),
        json!(5e-324),
        json!(true),
        json!(false),
        Value::Null,
        json!([]),
        json!({}),
        json!([null]),
        json!({ "": "" }),
        json!(["a", 1, null, {}]),
        nested_arrays(64),
        nested_arrays(200),
        nested_objects(150),
    ]
}

/// Raw JSON text put where a field's value goes.
pub(super) const RAW_VALUES: &[&[u8]] = &[
    b"1e400",
    b"-0",
    b"123456789012345678901234567890",
    b"0x10",
    b"NaN",
    b"Infinity",
    b"01",
    b"\"\\ud800\"",
    b"\"\\udc00x\"",
    b"\"\xff\xfe\"",
    b"\"\xc3\x28\"",
    b"\"a\x00b\"",
    b"\"a\nb\"",
    b"[1,]",
    b"{\"a\":}",
    b"tru",
    b"",
    b"\"\\x41\"",
];

fn nested_arrays(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| json!([inner]))
}

fn nested_objects(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| json!({ "a": inner }))
}

pub(super) fn random_bytes(rng: &mut StdRng, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| match rng.random_range(0..4) {
            0 => rng.random::<u8>(),
            1 => rng.random_range(0x80..=0xFF),
            2 => *[0u8, b'/', b'.', b'%', b'\\', b'&', b'=', b'?', b'#', b' ']
                .get(rng.random_range(0..10))
                .unwrap(),
            _ => rng.random_range(0x20..0x7F),
        })
        .collect()
}

pub(super) fn random_text(rng: &mut StdRng) -> String {
    let len = if rng.random_bool(0.1) {
        rng.random_range(200..2000)
    } else {
        rng.random_range(0..40)
    };
    (0..len)
        .map(|_| {
            let code = match rng.random_range(0..6) {
                0 => rng.random_range(0..0x20),
                1 => rng.random_range(0x20..0x7F),
                2 => rng.random_range(0x80..0x800),
                3 => rng.random_range(0x300..0x370),
                4 => *[
                    0x200B, 0x202E, 0xFEFF, 0xFFFD, 0xFFFF, 0x10FFFF, 0x1F4A9, 0x660, 0xFF10,
                ]
                .get(rng.random_range(0..9))
                .unwrap(),
                _ => rng.random_range(0x800..0x10FFFF),
            };
            char::from_u32(code).unwrap_or('\u{FFFD}')
        })
        .collect()
}

pub(super) fn random_json(rng: &mut StdRng) -> Value {
    match rng.random_range(0..5) {
        0 | 1 => json!(random_text(rng)),
        2 => json!(rng.random::<i64>()),
        3 => json!(rng.random_range(-1e12..1e12)),
        _ => json!([random_text(rng), rng.random::<i32>()]),
    }
}

/// Somewhere in 127/8 other than `HOME`: each case from its own network.
pub(super) fn random_source(rng: &mut StdRng) -> Ipv4Addr {
    Ipv4Addr::new(
        127,
        rng.random_range(1..=250),
        rng.random(),
        rng.random_range(1..=254),
    )
}

/// `Authorization` values that are no valid credentials.
pub(super) fn junk_authorizations(rng: &mut StdRng) -> Vec<(String, Vec<u8>)> {
    let printable: Vec<u8> = (0..rng.random_range(1..200))
        .map(|_| rng.random_range(0x21..0x7F))
        .collect();
    let high: Vec<u8> = (0..rng.random_range(1..64))
        .map(|_| rng.random_range(0x80..=0xFF))
        .collect();
    let mixed: Vec<u8> = (0..rng.random_range(1..100))
        .map(|_| match rng.random_range(0..3) {
            0 => rng.random_range(0x80..=0xFF),
            1 => b' ',
            _ => rng.random_range(0x21..0x7F),
        })
        .collect();
    vec![
        ("Bearer".into(), b"Bearer".to_vec()),
        ("Bearer + space".into(), b"Bearer ".to_vec()),
        ("Bearer + blanks".into(), b"Bearer \t  ".to_vec()),
        ("bearer lower case".into(), b"bearer".to_vec()),
        ("Basic".into(), b"Basic Zm9vOmJhcg==".to_vec()),
        ("another scheme".into(), b"Token abc".to_vec()),
        (
            "Bearer + printable junk".into(),
            [b"Bearer ".as_slice(), &printable].concat(),
        ),
        (
            "Bearer + non-ASCII bytes".into(),
            [b"Bearer ".as_slice(), &high].concat(),
        ),
        ("non-ASCII bytes".into(), mixed),
        (
            "Bearer + 8000 characters".into(),
            [b"Bearer ".as_slice(), &[b'A'; 8000]].concat(),
        ),
        ("Bearer + UTF-8".into(), "Bearer été ✓".as_bytes().to_vec()),
        (
            "Bearer + a SQL quote".into(),
            b"Bearer ' OR '1'='1".to_vec(),
        ),
    ]
}

/// Form values, URL-encoded as sent (raw bytes included).
pub(super) fn hostile_form_values() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        b"".as_slice(),
        b"%00",
        b"a%00b",
        b"%FF",
        b"\xff\xfe",
        b"%C3%28",
        b"%ED%A0%80",
        b"%",
        b"%G0",
        b"+",
        b"%2B",
        b"%0D%0A",
        b"%09",
        b"-1",
        b"0",
        b"9223372036854775807",
        b"-9223372036854775808",
        b"99999999999999999999",
        b"1e400",
        b"NaN",
        b"%D9%A3%D9%A4",
        b"%EF%BC%91%EF%BC%90",
        b"%E2%85%A7",
        b"%C2%B2",
        b"1h%FF",
        b"99h99",
        b"9999999h",
        b"1440",
        b"1441",
        b"%3Cscript%3E",
        b"'%20OR%201%3D1",
        b"2026-02-30",
        b"9999-12-31",
        b"-009999-01-01",
        b"%3D%2BHYPERLINK(%22x%22)",
        b"%F0%9F%92%A9",
    ]
    .iter()
    .map(|s| s.to_vec())
    .collect();
    out.push(vec![b'x'; 3000]);
    out.push(vec![b'x'; 20_000]);
    out
}

/// Query values for the console: the path segments' and dates at the calendar's edges.
pub(super) fn console_query_values(rng: &mut StdRng) -> Vec<String> {
    let mut out = hostile_segments(rng);
    out.extend(
        [
            "2026-02-30",
            "9999-12-31",
            "-009999-01-01",
            "%2B009999-12-31",
            "0000-01-01",
            "2026-1-1",
            "20260101",
            "2026-01-01T00%3A00",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    out
}
