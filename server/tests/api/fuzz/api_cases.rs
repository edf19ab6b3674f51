//! The API's cases: per operation of the OpenAPI document, each path parameter, query
//! parameter, body field, whole body and credentials varied in turn; plus the methods a
//! path does not take and paths no route takes.

use std::collections::BTreeMap;

use rand::{rngs::StdRng, seq::SliceRandom, Rng};
use serde_json::{json, Value};

use super::{
    case::{fill_template, Auth, Case, Credentials, Effect, Surface},
    http::{cut, encode, replace, Request},
    inputs::{
        hostile_segments, hostile_values, junk_authorizations, random_bytes, random_json,
        random_source, Body, FieldValue, RAW, RAW_VALUES,
    },
    openapi::{field_paths, sample, set_at, Operation},
    world::World,
};

pub(super) fn api_cases(op: &Operation, world: &World, rng: &mut StdRng) -> Vec<Case> {
    let route = op.route();
    let main = op.main_auth();
    let anonymous_allowed = op.auth.contains(&Auth::Anonymous);
    let valid_params = |name: &str| world.valid_param(name);
    let base_target = fill_template(&op.template, &valid_params);
    let base_query: String = op
        .query_params
        .iter()
        .map(|name| {
            let value = world
                .good(name, &op.template)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "fuzz".into());
            format!("{name}={}", encode(value.as_bytes()))
        })
        .collect::<Vec<_>>()
        .join("&");
    let with_query = |target: &str, query: &str| {
        if query.is_empty() {
            target.to_owned()
        } else {
            format!("{target}?{query}")
        }
    };
    let base_body = op
        .schema
        .as_ref()
        .map(|schema| sample(world, op, schema, ""));
    let base_bytes = base_body
        .as_ref()
        .map(|b| serde_json::to_vec(b).unwrap())
        .unwrap_or_default();
    let json_type: &[u8] = b"application/json";

    let mut cases = Vec::new();
    let mut push = |what: String,
                    target: String,
                    body: Option<(Option<&[u8]>, Vec<u8>)>,
                    credentials: Credentials,
                    late: bool,
                    rng: &mut StdRng| {
        let mut request = Request::new(&op.method, target, random_source(rng));
        if let Some((content_type, bytes)) = body {
            request = request.body(content_type, bytes);
        }
        cases.push(Case {
            route: route.clone(),
            what,
            request,
            credentials,
            surface: Surface::Api,
            effect: op.effect(),
            late,
        });
    };
    // The valid credentials, or (where they are optional) sometimes none.
    let usual = |rng: &mut StdRng| {
        if anonymous_allowed && rng.random_bool(0.5) {
            Credentials::None
        } else {
            Credentials::Valid(main)
        }
    };
    let base = |bytes: &[u8]| -> Option<(Option<&'static [u8]>, Vec<u8>)> {
        base_body
            .as_ref()
            .map(|_| (Some(b"application/json".as_slice()), bytes.to_vec()))
    };

    // Path parameters, one at a time.
    for name in &op.path_params {
        let valid = world.valid_param(name);
        let mut values = hostile_segments(rng);
        values.extend([
            format!("{valid}%00"),
            format!("{valid}%FF"),
            format!("%20{valid}"),
            format!("{valid}%2F.."),
            format!("{valid}0"),
        ]);
        for value in values {
            let target = fill_template(&op.template, &|n: &str| {
                if n == name {
                    value.clone()
                } else {
                    world.valid_param(n)
                }
            });
            let credentials = usual(rng);
            push(
                format!("path `{name}` = {}", cut(value.as_bytes(), 60)),
                with_query(&target, &base_query),
                base(&base_bytes),
                credentials,
                false,
                rng,
            );
        }
    }

    // Query parameters: the declared ones, repeated, without a value, and undeclared.
    let mut queries: Vec<(String, String)> = Vec::new();
    for name in &op.query_params {
        for value in hostile_segments(rng) {
            queries.push((
                format!("query `{name}` = {}", cut(value.as_bytes(), 60)),
                format!("{name}={value}"),
            ));
        }
        for (what, query) in [
            ("repeated", format!("{name}=a&{name}=b")),
            ("repeated, same value", format!("{name}=abc&{name}=abc")),
            ("repeated, invalid UTF-8", format!("{name}=%FF&{name}=%00")),
            ("without a value", name.clone()),
            ("empty", format!("{name}=")),
            ("as an array", format!("{name}[]=abc")),
            ("in capitals", format!("{}=abc", name.to_uppercase())),
            ("missing", String::new()),
        ] {
            queries.push((format!("query `{name}` {what}"), query));
        }
        let len = rng.random_range(1..64);
        queries.push((
            format!("query `{name}` = random bytes"),
            format!("{name}={}", encode(&random_bytes(rng, len))),
        ));
    }
    let len = rng.random_range(1..64);
    for (what, query) in [
        ("undeclared", format!("zz=%FF&{base_query}")),
        ("undeclared, repeated", format!("{base_query}&zz=1&zz=2")),
        ("undeclared name %FF", format!("%FF=%00&{base_query}")),
        ("only =", "=".to_owned()),
        ("only &", "&&&".to_owned()),
        ("a lone %", format!("{base_query}&%")),
        ("NUL name", format!("%00=1&{base_query}")),
        ("20 kB", format!("{base_query}&pad={}", "x".repeat(20_000))),
        (
            "random bytes",
            format!("{base_query}&{}", encode(&random_bytes(rng, len))),
        ),
    ] {
        queries.push((format!("query {what}"), query));
    }
    for (what, query) in queries {
        let credentials = usual(rng);
        push(
            what,
            with_query(&base_target, &query),
            base(&base_bytes),
            credentials,
            false,
            rng,
        );
    }
    let target = with_query(&base_target, &base_query);

    // Body fields, one at a time: hostile values, random ones, raw JSON text, missing.
    if let (Some(schema), Some(base_value)) = (&op.schema, &base_body) {
        let mut fields = Vec::new();
        field_paths(schema, &[], &mut fields);
        let mut pool = hostile_values();
        pool.shuffle(rng);
        let per_field = pool.len().div_ceil(fields.len().max(1)).max(6);
        let mut next = 0;
        for path in &fields {
            let shown = path.join(".");
            let late = path.last().is_some_and(|f| f == "password");
            let mut variants: Vec<FieldValue> = Vec::new();
            for _ in 0..per_field {
                let value = pool[next % pool.len()].clone();
                next += 1;
                let text = value.to_string();
                variants.push((cut(text.as_bytes(), 60), Some(value), None));
            }
            for _ in 0..2 {
                let value = random_json(rng);
                variants.push((
                    format!("random {}", cut(value.to_string().as_bytes(), 60)),
                    Some(value),
                    None,
                ));
            }
            for _ in 0..2 {
                let raw = RAW_VALUES[rng.random_range(0..RAW_VALUES.len())];
                variants.push((format!("raw {}", cut(raw, 40)), Some(json!(RAW)), Some(raw)));
            }
            variants.push(("missing".into(), None, None));
            for (shown_value, value, raw) in variants {
                let mut body = base_value.clone();
                set_at(&mut body, path, value);
                let mut bytes = serde_json::to_vec(&body).unwrap();
                if let Some(raw) = raw {
                    bytes = replace(&bytes, format!("\"{RAW}\"").as_bytes(), raw);
                }
                let credentials = usual(rng);
                push(
                    format!("body `{shown}` = {shown_value}"),
                    target.clone(),
                    Some((Some(json_type), bytes)),
                    credentials,
                    late,
                    rng,
                );
            }
        }
        // Unknown fields, at the top and in each object.
        let mut with_unknown = base_value.clone();
        set_at(
            &mut with_unknown,
            &["zz_unknown".into()],
            Some(json!("\u{0}")),
        );
        let mut objects = vec![with_unknown];
        for path in &fields {
            if base_value
                .pointer(&format!("/{}", path.join("/")))
                .is_some_and(Value::is_object)
            {
                let mut body = base_value.clone();
                let mut inner = path.clone();
                inner.push("zz_unknown".into());
                set_at(&mut body, &inner, Some(json!(1)));
                objects.push(body);
            }
        }
        objects.push(json!({}));
        for body in objects {
            let credentials = usual(rng);
            push(
                format!("body {}", cut(body.to_string().as_bytes(), 80)),
                target.clone(),
                Some((Some(json_type), serde_json::to_vec(&body).unwrap())),
                credentials,
                false,
                rng,
            );
        }
    }

    // Whole bodies that are not the JSON asked for (or any body where none is expected).
    let first_field = base_body
        .as_ref()
        .and_then(|b| b.as_object())
        .and_then(|o| o.keys().next().cloned())
        .unwrap_or_else(|| "a".into());
    let sample_bytes = if base_bytes.is_empty() {
        b"{\"a\":1}".to_vec()
    } else {
        base_bytes.clone()
    };
    let len = rng.random_range(1..2000);
    let random = random_bytes(rng, len);
    let utf16: Vec<u8> = String::from_utf8_lossy(&sample_bytes)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut padded = base_body.clone().unwrap_or_else(|| json!({}));
    set_at(
        &mut padded,
        &["zz_pad".into()],
        Some(json!("x".repeat(20_000))),
    );
    let bodies: Vec<Body> = vec![
        ("empty", Some(json_type), Vec::new()),
        ("without a content type", None, sample_bytes.clone()),
        ("as text/plain", Some(b"text/plain"), sample_bytes.clone()),
        (
            "as a form",
            Some(b"application/x-www-form-urlencoded"),
            b"email=a%FF&password=\xff\xfe".to_vec(),
        ),
        (
            "as multipart",
            Some(b"multipart/form-data; boundary=x"),
            b"--x\r\ncontent-disposition: form-data; name=\"email\"\r\n\r\na\r\n--x--\r\n".to_vec(),
        ),
        (
            "in UTF-16",
            Some(b"application/json; charset=utf-16"),
            utf16,
        ),
        (
            "as +json",
            Some(b"application/merge-patch+json"),
            sample_bytes.clone(),
        ),
        (
            "content type with non-ASCII bytes",
            Some(b"application/json\xe9\xff"),
            sample_bytes.clone(),
        ),
        (
            "content type with broken parameters",
            Some(b"application/json; ;;=; charset=\"\xff"),
            sample_bytes.clone(),
        ),
        (
            "with a BOM",
            Some(json_type),
            [b"\xef\xbb\xbf".as_slice(), &sample_bytes].concat(),
        ),
        (
            "with trailing garbage",
            Some(json_type),
            [sample_bytes.as_slice(), b" }x"].concat(),
        ),
        (
            "truncated",
            Some(json_type),
            sample_bytes[..sample_bytes.len() / 2].to_vec(),
        ),
        ("not JSON", Some(json_type), b"hello".to_vec()),
        ("null", Some(json_type), b"null".to_vec()),
        ("an array", Some(json_type), b"[]".to_vec()),
        ("a string", Some(json_type), b"\"text\"".to_vec()),
        ("a number", Some(json_type), b"42".to_vec()),
        ("1e400", Some(json_type), b"1e400".to_vec()),
        ("NUL bytes", Some(json_type), b"\0\0\0".to_vec()),
        (
            "a duplicated field",
            Some(json_type),
            replace(
                &sample_bytes,
                b"{",
                format!("{{\"{first_field}\":null,").as_bytes(),
            ),
        ),
        (
            "arrays nested 5000 deep",
            Some(json_type),
            ["[".repeat(5000), "]".repeat(5000)].concat().into_bytes(),
        ),
        (
            "objects nested 2000 deep",
            Some(json_type),
            ["{\"a\":".repeat(2000), "1".into(), "}".repeat(2000)]
                .concat()
                .into_bytes(),
        ),
        (
            "over the size limit",
            Some(json_type),
            serde_json::to_vec(&padded).unwrap(),
        ),
        ("200 kB", Some(json_type), vec![b' '; 200_000]),
        ("random bytes", Some(json_type), random),
    ];
    for (what, content_type, bytes) in bodies {
        let credentials = usual(rng);
        push(
            format!("body {what}"),
            target.clone(),
            Some((content_type, bytes)),
            credentials,
            false,
            rng,
        );
    }

    // Credentials that are not valid ones.
    let other = match main {
        Auth::MachineToken => Auth::ApiToken,
        _ => Auth::MachineToken,
    };
    let mut credentials: Vec<(String, Credentials)> = junk_authorizations(rng)
        .into_iter()
        .map(|(what, value)| (what, Credentials::Raw(value)))
        .collect();
    credentials.extend([
        ("none".into(), Credentials::None),
        (format!("{other:?} instead"), Credentials::Valid(other)),
        (
            "the token and junk".into(),
            Credentials::ValidThen(main, b"x\xff"),
        ),
        (
            "the token twice".into(),
            Credentials::ValidTwice(main, b"Bearer \xff".to_vec()),
        ),
    ]);
    for (what, credentials) in credentials {
        push(
            format!("authorization {what}"),
            target.clone(),
            base(&base_bytes),
            credentials,
            false,
            rng,
        );
    }
    cases
}

/// Methods a path does not take: 405, as the JSON error.
pub(super) fn method_cases(operations: &[Operation], rng: &mut StdRng) -> Vec<Case> {
    let mut templates: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for op in operations {
        templates
            .entry(op.template.as_str())
            .or_default()
            .push(op.method.as_str());
    }
    let mut cases = Vec::new();
    for (template, served) in templates {
        let target = fill_template(template, &|_| "1".to_owned());
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FUZZ"] {
            if served.contains(&method) {
                continue;
            }
            cases.push(Case {
                route: format!("{method} {template}"),
                what: "a method it does not take".into(),
                request: Request::new(method, target.clone(), random_source(rng)),
                credentials: Credentials::None,
                surface: Surface::Api,
                effect: Effect::None,
                late: false,
            });
        }
    }
    cases
}

/// Paths no route takes: 404, as the JSON error.
pub(super) fn stray_path_cases(rng: &mut StdRng) -> Vec<Case> {
    let mut targets: Vec<String> = [
        "/api/v1/",
        "/api/v1/%FF",
        "/api/v1/%00",
        "/api/v2/accounts",
        "/api/v1/accounts/",
        "//api/v1/account",
        "/api/v1/./account",
        "/api/v1/../health/live",
        "/api/v1/account%00",
        "/api/v1/support/accounts/1/balance/extra",
        "/api/v1/account/machines//unlink",
        "/%C0%AE%C0%AE/",
        "/health",
        "/health/%FF",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for _ in 0..10 {
        let len = rng.random_range(1..40);
        targets.push(format!("/api/v1/{}", encode(&random_bytes(rng, len))));
    }
    targets
        .into_iter()
        .map(|target| Case {
            route: "GET (no such path)".into(),
            what: cut(target.as_bytes(), 60),
            request: Request::new("GET", target, random_source(rng)),
            credentials: Credentials::None,
            surface: Surface::Api,
            effect: Effect::None,
            late: false,
        })
        .collect()
}
