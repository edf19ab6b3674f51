//! E-mail: what the service writes (`templates`), how it leaves (`transport`, configured
//! by `settings`), and the worker that drains the outbox (`worker`, retrying on `retry`'s
//! schedule). It must not know the service's configuration as a whole.

pub mod retry;
pub mod settings;
pub mod templates;
pub mod transport;
pub mod worker;

pub use templates::Templates;
pub use transport::{MailTransport, SendError};
pub use worker::OutboxWorker;
