//! SQL Server through tiberius, a pure-Rust TDS client (pymssql needs FreeTDS). Built without a
//! TLS feature (tiberius's rustls feature pulls a second crypto library into the build): the
//! login asks for no encryption, so servers that force encryption refuse it with a clear error.

use super::convert::from_mssql;
use super::entry::Target;
use super::rows::{Rows, RunError};
use futures_util::TryStreamExt;
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

pub type Client = tiberius::Client<Compat<TcpStream>>;

/// Why a connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Tds(#[from] tiberius::error::Error),
}

pub async fn connect(t: &Target) -> Result<Client, ConnectError> {
    let mut config = tiberius::Config::new();
    config.host(&t.host);
    config.port(t.port);
    if !t.database.is_empty() {
        config.database(&t.database);
    }
    config.application_name("liuma-engine");
    config.authentication(tiberius::AuthMethod::sql_server(
        &t.user,
        t.password.expose(),
    ));
    config.encryption(tiberius::EncryptionLevel::NotSupported);
    let tcp = TcpStream::connect((t.host.as_str(), t.port)).await?;
    tcp.set_nodelay(true)?;
    Ok(tiberius::Client::connect(config, tcp.compat_write()).await?)
}

/// Runs `sql` as a batch (autocommit); the rows of the first result set are kept, as
/// pymssql's `fetchall` gives them.
pub async fn run(client: &mut Client, sql: &str, rows: &mut Rows) -> Result<(), RunError> {
    let mut stream = client.simple_query(sql).await?;
    while let Some(item) = stream.try_next().await? {
        if let tiberius::QueryItem::Row(row) = item
            && row.result_index() == 0
        {
            rows.push(row.cells().map(|(_, data)| from_mssql(data)).collect())?;
        }
    }
    Ok(())
}

pub async fn ping(client: &mut Client) -> bool {
    match client.simple_query("SELECT 1").await {
        Ok(stream) => stream.into_results().await.is_ok(),
        Err(_) => false,
    }
}

pub async fn close(client: Client) {
    let _ = client.close().await;
}
