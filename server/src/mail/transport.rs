//! How mail leaves the service: SMTP (lettre), or .eml files in a folder for local use.

use std::{future::Future, path::PathBuf, pin::Pin, time::Duration};

use lettre::{
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::settings::{MailTransportSettings, SmtpSecurity, SmtpSettings};

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// The server refused the mail for good (unknown mailbox…): retrying is useless.
    pub permanent: bool,
    pub message: String,
}

type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Something that delivers one message. A trait so the worker can be tested alone.
pub trait MailTransport: Send + Sync {
    fn send<'a>(&'a self, message: &'a Message, file_stem: &'a str) -> SendFuture<'a>;
}

pub fn from_settings(settings: &MailTransportSettings) -> anyhow::Result<Box<dyn MailTransport>> {
    Ok(match settings {
        MailTransportSettings::Smtp(smtp) => Box::new(SmtpTransport::new(smtp)?),
        MailTransportSettings::File { dir } => Box::new(FileTransport { dir: dir.clone() }),
    })
}

pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpTransport {
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Self> {
        let tls = || TlsParameters::new(settings.host.clone());
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
                .port(settings.port)
                .timeout(Some(Duration::from_secs(20)));
        builder = match settings.security {
            SmtpSecurity::None => builder.tls(Tls::None),
            SmtpSecurity::Starttls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
        };
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            inner: builder.build(),
        })
    }
}

impl MailTransport for SmtpTransport {
    fn send<'a>(&'a self, message: &'a Message, _: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            self.inner
                .send(message.clone())
                .await
                .map(|_| ())
                .map_err(|err| SendError {
                    permanent: err.is_permanent(),
                    message: err.to_string(),
                })
        })
    }
}

/// Writes each message as `<stem>.eml` (whole, then renamed, so a reader never sees half).
pub struct FileTransport {
    pub dir: PathBuf,
}

impl MailTransport for FileTransport {
    fn send<'a>(&'a self, message: &'a Message, file_stem: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let fail = |err: std::io::Error| SendError {
                permanent: false,
                message: format!("cannot write into {}: {err}", self.dir.display()),
            };
            tokio::fs::create_dir_all(&self.dir).await.map_err(fail)?;
            let partial = self.dir.join(format!(".{file_stem}.part"));
            tokio::fs::write(&partial, message.formatted())
                .await
                .map_err(fail)?;
            tokio::fs::rename(&partial, self.dir.join(format!("{file_stem}.eml")))
                .await
                .map_err(fail)
        })
    }
}
