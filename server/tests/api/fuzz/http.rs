//! A raw HTTP/1.1 client: a `..` segment, an invalid escape or a non-ASCII header reaches
//! the service exactly as sent, from the loopback address the request names.

use std::{
    net::{Ipv4Addr, SocketAddr},
    time::Duration,
};

use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpSocket,
};

#[derive(Debug, Clone)]
pub(super) struct Request {
    method: String,
    /// The request target as sent: ASCII, percent-encoded by the case.
    pub(super) target: String,
    headers: Vec<(String, Vec<u8>)>,
    pub(super) body: Vec<u8>,
    from: Ipv4Addr,
}

impl Request {
    pub(super) fn new(method: &str, target: impl Into<String>, from: Ipv4Addr) -> Self {
        Self {
            method: method.to_owned(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            from,
        }
    }

    pub(super) fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    pub(super) fn body(mut self, content_type: Option<&[u8]>, body: Vec<u8>) -> Self {
        if let Some(content_type) = content_type {
            self = self.header("content-type", content_type);
        }
        self.body = body;
        self
    }

    /// As shown in a failure: long parts cut short, bytes escaped.
    pub(super) fn describe(&self) -> String {
        let mut out = format!(
            "{} {} (from {})",
            self.method,
            cut(self.target.as_bytes(), 300),
            self.from
        );
        for (name, value) in &self.headers {
            out.push_str(&format!("\n      {name}: {}", cut(value, 200)));
        }
        if !self.body.is_empty() {
            out.push_str(&format!(
                "\n      body ({} bytes): {}",
                self.body.len(),
                cut(&self.body, 400)
            ));
        }
        out
    }
}

pub(super) struct Response {
    pub(super) status: u16,
    headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(super) fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `name=value` of the cookie this answer sets, if it sets one.
    pub(super) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .map(|(_, v)| v.split(';').next().unwrap_or("").trim().to_owned())
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

pub(super) async fn send(server: SocketAddr, request: &Request) -> Result<Response, String> {
    let socket = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
    socket
        .bind(SocketAddr::from((request.from, 0)))
        .map_err(|e| format!("bind {}: {e}", request.from))?;
    let stream = socket
        .connect(server)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: {server}\r\nconnection: close\r\n",
        request.method, request.target
    )
    .into_bytes();
    for (name, value) in &request.headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    if !request.body.is_empty() || matches!(request.method.as_str(), "POST" | "PUT" | "PATCH") {
        head.extend_from_slice(format!("content-length: {}\r\n", request.body.len()).as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head.extend_from_slice(&request.body);

    let (mut reader, mut writer) = stream.into_split();
    // Written beside the reading, so a service that answers before reading a large body
    // leaves nobody waiting. The write half stays open until the answer is read: closing
    // it would end the request for the service.
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(&head).await;
        writer
    });
    let mut raw = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) => return Ok(()),
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                Err(e) => return Err(e),
            }
        }
    })
    .await;
    if read.is_err() {
        writing.abort();
    }
    drop(writing.await);
    match read {
        Err(_) => return Err("no answer within 30 s".into()),
        // A reset after the answer (the service did not read all of a large body).
        Ok(Err(e)) if find(&raw, b"\r\n\r\n").is_none() => {
            return Err(format!("connection failed before an answer: {e}"))
        }
        _ => {}
    }
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let end =
        find(raw, b"\r\n\r\n").ok_or_else(|| format!("no complete answer: {}", cut(raw, 200)))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line: {}", cut(raw, 200)))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        body = dechunk(&body);
    } else if let Some(length) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(length);
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = find(data, b"\r\n") {
        let size = std::str::from_utf8(&data[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let stop = (start + size).min(data.len());
        out.extend_from_slice(&data[start..stop]);
        data = &data[(stop + 2).min(data.len())..];
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Bytes shown readably: printable ASCII as is, the rest escaped, cut at `max`.
pub(super) fn cut(bytes: &[u8], max: usize) -> String {
    let shown: String = bytes
        .iter()
        .take(max)
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect();
    if bytes.len() > max {
        format!("{shown}… ({} bytes)", bytes.len())
    } else {
        shown
    }
}

/// Every byte but the unreserved ones percent-encoded.
pub(super) fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(super) fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = find(rest, needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}
