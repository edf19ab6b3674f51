//! `/outbox`: the mails the file transport wrote, newest first, so that someone running
//! the service locally can read the password mail. Served only with the file transport.

use axum::{extract::State, response::Html};

use crate::state::AppState;

const SHOWN: usize = 50;

pub async fn page(State(state): State<AppState>) -> Html<String> {
    let mut rows = String::new();
    let mails = match &state.local_outbox {
        Some(dir) => read_mails(dir).await,
        None => Vec::new(),
    };
    for mail in &mails {
        rows.push_str(&format!(
            "<article><h2>{}</h2><p class=\"meta\">{} · {}</p><pre>{}</pre></article>\n",
            escape(&mail.subject),
            escape(&mail.to),
            escape(&mail.date),
            escape(&mail.body),
        ));
    }
    if mails.is_empty() {
        rows.push_str("<p>No mail yet. / Aucun e-mail pour l'instant.</p>");
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"5\">\
         <title>Local outbox</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color-scheme:light dark}}\
         article{{border:1px solid #8888;border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0}}\
         h2{{font-size:1.1rem;margin:.4rem 0}} .meta{{color:#888;margin:0}} pre{{white-space:pre-wrap;font-size:1rem}}\
         </style></head><body><h1>Local outbox / Boîte d'envoi locale</h1>\
         <p>The mails this service wrote to <code>{}</code> (newest first; this page refreshes itself).</p>{rows}</body></html>",
        escape(
            &state
                .local_outbox
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default()
        )
    ))
}

struct ShownMail {
    to: String,
    subject: String,
    date: String,
    body: String,
}

async fn read_mails(dir: &std::path::Path) -> Vec<ShownMail> {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return Vec::new();
    };
    let mut names = Vec::new();
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".eml") && !name.starts_with('.') {
            names.push(name);
        }
    }
    // File names start with the creation time and the outbox ID: they sort by age.
    names.sort_unstable_by(|a, b| b.cmp(a));
    let mut mails = Vec::new();
    for name in names.into_iter().take(SHOWN) {
        let Ok(raw) = tokio::fs::read(dir.join(&name)).await else {
            continue;
        };
        let Some(message) = mail_parser::MessageParser::default().parse(&raw) else {
            continue;
        };
        mails.push(ShownMail {
            to: message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned(),
            subject: message.subject().unwrap_or_default().to_owned(),
            date: message.date().map(|d| d.to_rfc3339()).unwrap_or_default(),
            body: message
                .body_text(0)
                .map(|b| b.into_owned())
                .unwrap_or_default(),
        });
    }
    mails
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
