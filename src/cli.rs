//! The command line: clap types only.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// BSN Knowledge: NCLEX-RN practice, study guides and analytics for nursing schools, in one binary.
#[derive(Debug, Parser)]
#[command(name = "bsn-knowledge", version, about, propagate_version = true)]
pub struct Cli {
    /// Config file (default: /etc/bsn-knowledge/config.toml when it exists, else embedded defaults)
    #[arg(long, global = true, env = "BSN_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Overrides [storage].data_dir
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Overrides [server].http_listen
    #[arg(long, global = true, value_name = "ADDR")]
    pub http_listen: Option<SocketAddr>,

    /// Overrides [logging].level
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default)
    Serve,
    /// Validate the config and print the effective config with secrets masked
    CheckConfig,
    /// Apply pending database migrations and exit
    Migrate,
    /// Ask the running server's /health: exit 0 healthy, 1 degraded, 2 unhealthy or unreachable
    Healthcheck {
        /// Health URL (default: derived from [server].http_listen)
        #[arg(long)]
        url: Option<String>,
    },
    /// Manage user accounts (works while the server runs)
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Consistent online backup (works while the server runs); prints the file written
    Backup {
        /// File or directory to write (default: a dated file in [backup].dir)
        #[arg(long, value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Verify a backup and restore it into the data directory (the server must be stopped)
    Restore {
        /// The backup archive (.tar.gz)
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Export item-bank items for an LMS: QTI 2.1 or 3.0 packages, Moodle XML or GIFT
    Export {
        #[arg(long, value_parser = ["qti21", "qti30", "moodle", "gift"])]
        format: String,
        /// Where to write (default: bsn-items-<format>.<ext> in the current directory)
        #[arg(long, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Only items with this topic
        #[arg(long)]
        topic: Option<String>,
        /// Only this client-need subcategory, e.g. pharmacological_parenteral
        #[arg(long)]
        client_need: Option<String>,
        /// Only this item type (multiple_choice or multiple_response export; others are skipped)
        #[arg(long)]
        item_type: Option<String>,
        /// Include retired items
        #[arg(long)]
        include_retired: bool,
        /// At most this many items (newest first)
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
    /// Print the version
    Version,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; without --password-file a password is generated and printed once
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["student", "instructor", "admin"])]
        role: String,
        /// File holding the password (first line)
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    /// List users
    List,
    /// Set a generated password (printed once) that must be changed at next login
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// Disable a user: they can no longer log in and their sessions end
    Disable {
        #[arg(long)]
        username: String,
    },
}
