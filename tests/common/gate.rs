//! A gate in front of the service: a loopback proxy that holds each new connection while
//! closed and forwards it to the service once open. A test can then look at the window
//! between its first paint and the service's answer, however fast the machine.

use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinHandle,
};

pub struct Gate {
    /// The service's address through the gate: give it to the program.
    pub url: String,
    open: watch::Sender<bool>,
    accepting: JoinHandle<()>,
}

impl Gate {
    /// An open gate to the service at `service_url` (`http://host:port`).
    pub async fn new(service_url: &str) -> Gate {
        let upstream = service_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (open, opened) = watch::channel(true);
        let accepting = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mut opened = opened.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    if opened.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Gate {
            url,
            open,
            accepting,
        }
    }

    /// New connections wait (those already through go on).
    pub fn close(&self) {
        self.open.send_replace(false);
    }

    /// Waiting connections, and new ones, go through.
    pub fn open(&self) {
        self.open.send_replace(true);
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}
