//! `liuma-engine secret keygen | encrypt`: make a key and turn a value into the `enc:<token>`
//! line pasted into `config.ini`, so secrets are never stored there in plain text.

use crate::config::secrets::{self, SecretsConfig};
use clap::{Args, Subcommand};
use std::io::BufRead;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct SecretArgs {
    #[command(subcommand)]
    pub action: SecretAction,
}

#[derive(Subcommand)]
pub enum SecretAction {
    /// Print a new random key (Fernet, 44 characters). Keep it in a file only the engine's user
    /// can read and name that file in [Secrets] key-file, or put it in the environment variable
    /// named by [Secrets] key-env (default LIUMA_ENGINE_KEY). A passphrase works too instead of
    /// a key (its SHA-256 becomes the key).
    Keygen,
    /// Encrypt one value and print `enc:<token>` to paste into config.ini as that key's value.
    /// The value is read from the first line of standard input (piped in, or typed at a
    /// terminal after a one-line hint on stderr), or taken from --value (no prompt at all, but
    /// visible in the shell history and the process list: prefer stdin). The key is
    /// taken from --key-file, else --key-env, else the [Secrets] section of the config file
    /// (--config, ./config.ini, ./config/config.ini), else LIUMA_ENGINE_KEY.
    Encrypt(EncryptArgs),
}

#[derive(Args)]
pub struct EncryptArgs {
    /// The value to encrypt [default: read the first line of standard input]
    #[arg(long, value_name = "TEXT")]
    pub value: Option<String>,
    /// File holding the key or passphrase (first line)
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// Environment variable holding the key or passphrase
    #[arg(long, value_name = "NAME")]
    pub key_env: Option<String>,
}

/// Runs the subcommand; returns the exit code (0 ok, 2 usage or key problem).
pub fn run(args: SecretArgs, config: Option<&Path>) -> i32 {
    match args.action {
        SecretAction::Keygen => {
            println!("{}", fernet::Fernet::generate_key());
            eprintln!(
                "Store this key in a file only the engine's user can read (chmod 600) and set\n[Secrets] key-file to it, or export it as {} before starting the engine.\nThen: liuma-engine secret encrypt < value.txt",
                secrets::DEFAULT_KEY_ENV
            );
            0
        }
        SecretAction::Encrypt(a) => match encrypt(a, config) {
            Ok(line) => {
                println!("{line}");
                eprintln!("Paste it into config.ini as the value, e.g.  engine-secret = {line}");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
    }
}

fn encrypt(a: EncryptArgs, config: Option<&Path>) -> Result<String, String> {
    let settings = if a.key_file.is_some() || a.key_env.is_some() {
        SecretsConfig {
            key_env: a
                .key_env
                .unwrap_or_else(|| "LIUMA_ENGINE_KEY_NOT_USED_WITH_KEY_FILE".to_string()),
            key_file: a.key_file,
        }
    } else {
        match crate::config::locate(config) {
            Ok(file) => secrets::secrets_of_file(&file).map_err(|e| e.to_string())?,
            Err(_) => SecretsConfig::default(),
        }
    };
    let key = settings.load_key()?.ok_or_else(|| {
        format!(
            "no key: set the environment variable {} or pass --key-file (make one with `liuma-engine secret keygen`)",
            settings.key_env
        )
    })?;
    let value = match a.value {
        Some(v) => v,
        None => {
            use std::io::IsTerminal;
            if std::io::stdin().is_terminal() {
                eprintln!("Type the value and press Enter (or pipe it in: it shows as you type):");
            }
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the value from standard input: {e}"))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if value.is_empty() {
        return Err("the value is empty (give it on standard input or with --value)".into());
    }
    Ok(secrets::encrypt_value(&key, &value))
}
