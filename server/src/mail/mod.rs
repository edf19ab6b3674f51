//! E-mail: what the service writes (`templates`), how it leaves (`transport`), and the
//! worker that drains the outbox (`worker`).

pub mod retry;
pub mod templates;
pub mod transport;
pub mod worker;

pub use templates::Templates;
pub use transport::{MailTransport, SendError};
pub use worker::OutboxWorker;
