//! An SMTP server on 127.0.0.1 (mailin-embedded) whose received mail tests can read.

use std::{
    net::{IpAddr, TcpListener},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use mailin_embedded::{response, Handler, Response, Server, SslConfig};

/// One message as the server received it, with its text decoded.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub raw: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    /// When the server accepted it (end of DATA): what a mail delivery benchmark times.
    pub received_at: Instant,
}

impl ReceivedMail {
    /// The value after `label` on the first line that has it ("Password: ABCDE-…").
    pub fn line_value(&self, label: &str) -> Option<String> {
        self.text.lines().find_map(|line| {
            line.trim()
                .strip_prefix(label)
                .map(|rest| rest.trim().to_owned())
        })
    }

    /// The password the mail gives (French or English text).
    pub fn password(&self) -> Option<String> {
        self.line_value("Password:")
            .or_else(|| self.line_value("Mot de passe :"))
    }

    /// The code confirming a new e-mail address, if the mail gives one (the mail to an
    /// address that belongs to another account carries none).
    pub fn confirmation_code(&self) -> Option<String> {
        self.line_value("Confirmation code:")
            .or_else(|| self.line_value("Code de confirmation :"))
    }
}

#[derive(Default)]
struct Mailbox {
    mails: Mutex<Vec<ReceivedMail>>,
}

#[derive(Clone)]
struct Collector {
    mailbox: Arc<Mailbox>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let parsed = mail_parser::MessageParser::default().parse(&self.data);
        let (subject, message_id, text) = match &parsed {
            Some(m) => (
                m.subject().unwrap_or_default().to_owned(),
                m.message_id().unwrap_or_default().to_owned(),
                m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            ),
            None => Default::default(),
        };
        let mail = ReceivedMail {
            from: self.from.clone(),
            to: self.to.clone(),
            raw: String::from_utf8_lossy(&self.data).into_owned(),
            subject,
            message_id,
            text,
            received_at: Instant::now(),
        };
        self.mailbox.mails.lock().unwrap().push(mail);
        response::OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }
}

/// A running SMTP server. It runs until the test process ends.
pub struct SmtpServer {
    port: u16,
    mailbox: Arc<Mailbox>,
}

impl SmtpServer {
    /// Starts on a free loopback port.
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// Starts on `port` (0: any free one) — e.g. a port the service was told about
    /// while no server was there yet.
    pub fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP port");
        let port = listener.local_addr().unwrap().port();
        let mailbox = Arc::new(Mailbox::default());
        let collector = Collector {
            mailbox: mailbox.clone(),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(collector);
        server
            .with_name("smtp.test")
            // Enough for several service instances, each keeping pooled connections open.
            .with_num_threads(16)
            .with_ssl(SslConfig::None)
            .expect("plain SMTP")
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, mailbox }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything received so far.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.mailbox.mails.lock().unwrap().clone()
    }

    /// Mail received for `address`.
    pub fn mails_to(&self, address: &str) -> Vec<ReceivedMail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits until `count` mails for `address` arrived (at most `timeout`), and returns
    /// them all. Panics, naming what did arrive, if they do not. Async, so the service
    /// under test keeps running on the same runtime meanwhile.
    pub async fn wait_for(
        &self,
        address: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let matching = self.mails_to(address);
            if matching.len() >= count {
                return matching;
            }
            if Instant::now() >= deadline {
                let seen: Vec<String> = self
                    .mails()
                    .iter()
                    .map(|m| format!("{:?}: {}", m.to, m.subject))
                    .collect();
                panic!("expected {count} mail(s) for {address} within {timeout:?}; received: {seen:#?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the `n`th (1-based) mail to `address` and returns it.
    pub async fn wait_for_nth(&self, address: &str, n: usize) -> ReceivedMail {
        self.wait_for(address, n, Duration::from_secs(20))
            .await
            .swap_remove(n - 1)
    }
}

impl SmtpServer {
    /// The confirmation code in the `nth` (1-based) mail to `address`.
    pub async fn code_mailed_to(&self, address: &str, nth: usize) -> String {
        let mail = self.wait_for_nth(address, nth).await;
        mail.confirmation_code()
            .unwrap_or_else(|| panic!("no code in: {}", mail.text))
    }

    /// Waits (at most 20 s) for a mail to `address` whose text contains `words`.
    pub async fn wait_for_mail_saying(&self, address: &str, words: &str) {
        let started = Instant::now();
        while !self
            .mails_to(address)
            .iter()
            .any(|m| m.text.contains(words))
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no mail to {address} says {words:?}: {:#?}",
                self.mails_to(address)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
