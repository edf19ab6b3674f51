//! An HTTP proxy on loopback that records what passes through it: the request lines, and
//! the answers' bytes (plain HTTP in tests, so a token in transit is readable here).

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

#[derive(Clone)]
pub struct RecordingProxy {
    pub port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    answers: Arc<Mutex<Vec<u8>>>,
}

impl RecordingProxy {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Self {
            port: listener.local_addr().unwrap().port(),
            requests: Arc::default(),
            answers: Arc::default(),
        };
        let recorder = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let _ = recorder.serve(client).await;
                });
            }
        });
        proxy
    }

    /// Request lines seen, e.g. `GET http://127.0.0.1:41234/api/v1/account HTTP/1.1`.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Everything the service answered through the proxy.
    pub fn answers(&self) -> Vec<u8> {
        self.answers.lock().unwrap().clone()
    }

    /// One connection: each request (absolute URI) is passed on to its host in origin
    /// form; one request per connection, so every request line is seen.
    async fn serve(&self, mut client: TcpStream) -> std::io::Result<()> {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if client.read(&mut byte).await? == 0 {
                return Ok(());
            }
            head.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let mut lines = text.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_owned();
        self.requests.lock().unwrap().push(request_line.clone());
        let mut parts = request_line.splitn(3, ' ');
        let (method, uri, version) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let Some(rest) = uri.strip_prefix("http://") else {
            client
                .write_all(b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n")
                .await?;
            return Ok(());
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let path = if path.is_empty() { "/" } else { path };
        let mut upstream = TcpStream::connect(authority).await?;
        let mut forwarded = format!("{method} {path} {version}\r\n");
        for line in lines.filter(|l| !l.is_empty()) {
            let name = line
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !matches!(
                name.as_str(),
                "proxy-connection" | "connection" | "keep-alive"
            ) {
                forwarded.push_str(line);
                forwarded.push_str("\r\n");
            }
        }
        forwarded.push_str("Connection: close\r\n\r\n");
        upstream.write_all(forwarded.as_bytes()).await?;
        let (mut client_read, mut client_write) = client.split();
        let (mut upstream_read, mut upstream_write) = upstream.split();
        // The request's body goes up as it comes; the exchange ends with the answer.
        let upload = async {
            let _ = tokio::io::copy(&mut client_read, &mut upstream_write).await;
            std::future::pending::<()>().await
        };
        let download = async {
            let mut buffer = [0u8; 8192];
            loop {
                let n = upstream_read.read(&mut buffer).await?;
                if n == 0 {
                    break;
                }
                self.answers.lock().unwrap().extend_from_slice(&buffer[..n]);
                client_write.write_all(&buffer[..n]).await?;
            }
            client_write.shutdown().await
        };
        tokio::select! {
            result = download => result,
            () = upload => Ok(()),
        }
    }
}
