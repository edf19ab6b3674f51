//! The console's cases. The console is not in the OpenAPI document: its routes are listed
//! here, with the query parameters and form fields each handler reads.

use rand::{rngs::StdRng, Rng};

use super::{
    case::{fill_template, placeholders, Case, Credentials, Effect, Surface},
    http::{cut, encode, Request},
    inputs::{
        console_query_values, hostile_form_values, hostile_segments, random_bytes, random_source,
        random_text, Body,
    },
    world::{World, LOGIN_CSRF, SESSION_CSRF},
};

pub(super) struct ConsoleRoute {
    pub(super) method: &'static str,
    pub(super) template: &'static str,
    query: &'static [&'static str],
    form: &'static [&'static str],
}

const fn route(
    method: &'static str,
    template: &'static str,
    query: &'static [&'static str],
    form: &'static [&'static str],
) -> ConsoleRoute {
    ConsoleRoute {
        method,
        template,
        query,
        form,
    }
}

/// Every route of `console::router()` (checked against `console::console_paths()`),
/// with the query parameters and form fields its handler reads.
pub(super) const CONSOLE_ROUTES: &[ConsoleRoute] = &[
    route("GET", "/", &[], &[]),
    route("GET", "/console", &[], &[]),
    route("GET", "/console/", &["q"], &[]),
    route("GET", "/console/login", &["expired"], &[]),
    route(
        "POST",
        "/console/login",
        &[],
        &["csrf", "email", "password"],
    ),
    route("POST", "/console/logout", &[], &["csrf"]),
    route("GET", "/console/password", &["done"], &[]),
    route(
        "POST",
        "/console/password",
        &[],
        &["csrf", "current", "new", "again"],
    ),
    route("GET", "/console/console.css", &[], &[]),
    route(
        "GET",
        "/console/accounts/{customer_id}",
        &["done", "minutes"],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/support-calls",
        &[],
        &["csrf", "minutes", "note"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/timer/start",
        &[],
        &["csrf"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/timer/stop",
        &[],
        &["csrf"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/credits",
        &[],
        &["csrf", "minutes", "reference", "note"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/notes",
        &[],
        &["csrf", "text"],
    ),
    route(
        "GET",
        "/console/accounts/{customer_id}/entries/{entry_id}/correct",
        &[],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/entries/{entry_id}/correct",
        &[],
        &["csrf", "reason"],
    ),
    route(
        "GET",
        "/console/accounts/{customer_id}/password-request",
        &[],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/password-request",
        &[],
        &["csrf"],
    ),
    route(
        "GET",
        "/console/accounts/{customer_id}/machines/{machine_id}/unlink",
        &[],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/machines/{machine_id}/unlink",
        &[],
        &["csrf"],
    ),
    route(
        "GET",
        "/console/accounts/{customer_id}/machines/unlink-stale",
        &["not_seen_days"],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/machines/unlink-stale",
        &[],
        &["csrf", "not_seen_days", "machine_ids"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/enrollment-keys",
        &[],
        &["csrf", "label", "uses", "valid_days"],
    ),
    route(
        "GET",
        "/console/accounts/{customer_id}/enrollment-keys/{key_id}/revoke",
        &[],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/enrollment-keys/{key_id}/revoke",
        &[],
        &["csrf"],
    ),
    route(
        "GET",
        "/console/export",
        &["from", "to", "customer_id"],
        &[],
    ),
    route(
        "GET",
        "/console/export.csv",
        &["from", "to", "customer_id"],
        &[],
    ),
];

pub(super) fn console_cases(
    route: &ConsoleRoute,
    logged_in: bool,
    world: &World,
    rng: &mut StdRng,
) -> Vec<Case> {
    let name = format!(
        "{} {} ({})",
        route.method,
        route.template,
        if logged_in { "logged in" } else { "logged out" }
    );
    let effect = match route.template {
        "/console/logout" | "/console/password" if route.method == "POST" => Effect::ConsoleSession,
        "/console/accounts/{customer_id}/machines/{machine_id}/unlink"
        | "/console/accounts/{customer_id}/machines/unlink-stale"
            if route.method == "POST" =>
        {
            Effect::OtherMachine
        }
        _ => Effect::None,
    };
    let credentials = Credentials::Console { logged_in };
    let login = route.template == "/console/login";
    let good_field = |field: &str| -> Vec<u8> {
        let value: &str = match field {
            // Markers, replaced as they are when sent.
            "csrf" if login => return LOGIN_CSRF.as_bytes().to_vec(),
            "csrf" => return SESSION_CSRF.as_bytes().to_vec(),
            "email" => &world.agent_email,
            "password" | "current" => &world.agent_password,
            // Never the same twice: the password is not changed by accident.
            "new" => "fuzz new password one",
            "again" => "fuzz new password two",
            "minutes" => "20",
            "reference" => "FAC-FUZZ",
            "uses" => "2",
            "valid_days" => "1",
            // Linked just now: none of the world's machines is that stale.
            "not_seen_days" => "30",
            _ => "fuzz",
        };
        encode(value.as_bytes()).into_bytes()
    };
    let form_of = |fields: &[(&str, Vec<u8>)]| -> Vec<u8> {
        let mut body = Vec::new();
        for (i, (field, value)) in fields.iter().enumerate() {
            if i > 0 {
                body.push(b'&');
            }
            body.extend_from_slice(field.as_bytes());
            body.push(b'=');
            body.extend_from_slice(value);
        }
        body
    };
    let base_fields: Vec<(&str, Vec<u8>)> =
        route.form.iter().map(|f| (*f, good_field(f))).collect();
    let base_form = (route.method == "POST").then(|| form_of(&base_fields));
    let form_type: &[u8] = b"application/x-www-form-urlencoded";
    // Query parameters with values that work, so that the one varied is what matters.
    let good_query = |param: &str| -> &str {
        match param {
            "from" => "2026-01-01",
            "to" => "2026-12-31",
            "customer_id" => &world.customer_id,
            "minutes" => "5",
            "q" => "Fuzz",
            "not_seen_days" => "30",
            _ => "1",
        }
    };
    let query_without = |skipped: &str| -> Vec<String> {
        route
            .query
            .iter()
            .filter(|p| **p != skipped)
            .map(|p| format!("{p}={}", encode(good_query(p).as_bytes())))
            .collect()
    };
    let with_query = |target: String, parts: Vec<String>| {
        let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            target
        } else {
            format!("{target}?{}", parts.join("&"))
        }
    };
    let base_target = with_query(
        fill_template(route.template, &|n| world.valid_param(n)),
        query_without(""),
    );
    // Logged out, the agent's pages send to the log-in page: fewer cases there.
    let keep = |rng: &mut StdRng| logged_in || rng.random_bool(0.5);

    let mut cases = Vec::new();
    let mut push = |what: String,
                    target: String,
                    body: Option<(Option<&[u8]>, Vec<u8>)>,
                    late: bool,
                    rng: &mut StdRng| {
        let mut request = Request::new(route.method, target, random_source(rng));
        if let Some((content_type, bytes)) = body {
            request = request.body(content_type, bytes);
        }
        cases.push(Case {
            route: name.clone(),
            what,
            request,
            credentials: credentials.clone(),
            surface: Surface::Console,
            effect,
            late,
        });
    };
    let base_body = || base_form.clone().map(|f| (Some(form_type), f));

    for param in placeholders(route.template) {
        let valid = world.valid_param(&param);
        let mut values = hostile_segments(rng);
        values.extend([
            format!("{valid}%00"),
            format!("{valid}%FF"),
            format!("%20{valid}"),
            format!("{valid}0"),
        ]);
        for value in values {
            if !keep(rng) {
                continue;
            }
            let target = fill_template(route.template, &|n: &str| {
                if n == param {
                    value.clone()
                } else {
                    world.valid_param(n)
                }
            });
            push(
                format!("path `{param}` = {}", cut(value.as_bytes(), 60)),
                with_query(target, query_without("")),
                base_body(),
                false,
                rng,
            );
        }
    }

    let path_only = fill_template(route.template, &|n| world.valid_param(n));
    let mut queries: Vec<(String, Vec<String>)> = Vec::new();
    for param in route.query {
        let others = query_without(param);
        let mut varied = |what: String, part: String| {
            let mut parts = others.clone();
            parts.push(part);
            queries.push((what, parts));
        };
        for value in console_query_values(rng) {
            varied(
                format!("query `{param}` = {}", cut(value.as_bytes(), 60)),
                format!("{param}={value}"),
            );
        }
        varied(
            format!("query `{param}` repeated"),
            format!("{param}=1&{param}=2"),
        );
        varied(
            format!("query `{param}` repeated, good values"),
            format!(
                "{param}={0}&{param}={0}",
                encode(good_query(param).as_bytes())
            ),
        );
        varied(
            format!("query `{param}` without a value"),
            param.to_string(),
        );
    }
    for (what, query) in [
        ("undeclared", "zz=%FF".to_owned()),
        ("undeclared, repeated", "zz=1&zz=2".to_owned()),
        ("name %FF", "%FF=%00".to_owned()),
        ("a lone %", "%".to_owned()),
        ("20 kB", format!("pad={}", "x".repeat(20_000))),
    ] {
        let mut parts = query_without("");
        parts.push(query);
        queries.push((format!("query {what}"), parts));
    }
    for (what, parts) in queries {
        if !keep(rng) {
            continue;
        }
        push(
            what,
            with_query(path_only.clone(), parts),
            base_body(),
            false,
            rng,
        );
    }

    // Headers the console reads: the browser's languages, the cookies.
    let mut with_headers = Vec::new();
    let len = rng.random_range(1..100);
    let junk = random_bytes(rng, len)
        .into_iter()
        .filter(|b| *b >= 0x20 && *b != 0x7F)
        .collect::<Vec<u8>>();
    for (what, header, value) in [
        (
            "Accept-Language non-ASCII",
            "accept-language",
            b"fr\xff\xfe;q=\xe9".to_vec(),
        ),
        ("Accept-Language junk", "accept-language", junk.clone()),
        (
            "Accept-Language long",
            "accept-language",
            "en;q=0.1,".repeat(800).into_bytes(),
        ),
        (
            "a junk session cookie",
            "cookie",
            b"console_session=\xff\xfe; console_session=x".to_vec(),
        ),
        (
            "an empty session cookie",
            "cookie",
            b"console_session=".to_vec(),
        ),
        (
            "a quoted session cookie",
            "cookie",
            b"console_session=\"abc\"".to_vec(),
        ),
        ("junk cookies", "cookie", junk),
        (
            "500 cookies",
            "cookie",
            (0..500)
                .map(|i| format!("c{i}=v"))
                .collect::<Vec<_>>()
                .join("; ")
                .into_bytes(),
        ),
    ] {
        if !keep(rng) {
            continue;
        }
        let mut request = Request::new(route.method, base_target.clone(), random_source(rng))
            .header(header, value);
        if let Some(form) = &base_form {
            request = request.body(Some(form_type), form.clone());
        }
        with_headers.push(Case {
            route: name.clone(),
            what: format!("header: {what}"),
            request,
            credentials: credentials.clone(),
            surface: Surface::Console,
            effect,
            late: false,
        });
    }

    if route.method == "POST" {
        let values = hostile_form_values();
        for (i, (field, _)) in base_fields.iter().enumerate() {
            let late = matches!(*field, "password" | "current");
            let mut variants: Vec<(String, Vec<u8>)> = values
                .iter()
                .map(|v| {
                    (
                        format!("= {}", cut(v, 60)),
                        form_of(&with_field(&base_fields, i, v)),
                    )
                })
                .collect();
            let random = encode(random_text(rng).as_bytes());
            variants.push((
                format!("= random {}", cut(random.as_bytes(), 60)),
                form_of(&with_field(&base_fields, i, random.as_bytes())),
            ));
            variants.push((
                "repeated".into(),
                [
                    form_of(&base_fields),
                    b"&".to_vec(),
                    form_of(&base_fields[i..=i]),
                ]
                .concat(),
            ));
            let without: Vec<(&str, Vec<u8>)> = base_fields
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, f)| f.clone())
                .collect();
            variants.push(("missing".into(), form_of(&without)));
            for (what, body) in variants {
                if !keep(rng) {
                    continue;
                }
                push(
                    format!("form `{field}` {what}"),
                    base_target.clone(),
                    Some((Some(form_type), body)),
                    late,
                    rng,
                );
            }
        }
        let len = rng.random_range(1..2000);
        let random = random_bytes(rng, len);
        let base = base_form.clone().unwrap_or_default();
        let bodies: Vec<Body> = vec![
            ("empty", Some(form_type), Vec::new()),
            ("without a content type", None, base.clone()),
            ("as text/plain", Some(b"text/plain"), base.clone()),
            (
                "as JSON",
                Some(b"application/json"),
                b"{\"csrf\":\"x\"}".to_vec(),
            ),
            (
                "as multipart",
                Some(b"multipart/form-data; boundary=x"),
                b"--x\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\na\r\n--x--\r\n"
                    .to_vec(),
            ),
            (
                "content type with non-ASCII bytes",
                Some(b"application/x-www-form-urlencoded\xe9"),
                base.clone(),
            ),
            ("only = and &", Some(form_type), b"=&=&&=".to_vec()),
            ("a name without a value", Some(form_type), b"csrf".to_vec()),
            ("%FF names", Some(form_type), b"%FF=%FF&\xff=\xfe".to_vec()),
            (
                "an unknown field",
                Some(form_type),
                [base.as_slice(), b"&zz=%00"].concat(),
            ),
            (
                "over the size limit",
                Some(form_type),
                [base.as_slice(), b"&pad=", &[b'x'; 20_000]].concat(),
            ),
            ("random bytes", Some(form_type), random),
        ];
        for (what, content_type, body) in bodies {
            if !keep(rng) {
                continue;
            }
            push(
                format!("form {what}"),
                base_target.clone(),
                Some((content_type, body)),
                false,
                rng,
            );
        }
    }
    cases.extend(with_headers);
    cases
}

fn with_field<'a>(
    fields: &[(&'a str, Vec<u8>)],
    i: usize,
    value: &[u8],
) -> Vec<(&'a str, Vec<u8>)> {
    let mut out = fields.to_vec();
    out[i].1 = value.to_vec();
    out
}
