//! Entry point: parse the command line, run one function per subcommand, and turn its outcome into
//! an exit code in one place (0 success, 1 failure, 2 config or usage error, as the contract fixes;
//! `healthcheck` exits with its own 0/1/2).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use bsn_knowledge::cli::{Cli, Command, UserCommand};
use bsn_knowledge::config::{self, Config, ConfigSource, Overrides};
use bsn_knowledge::domain::accounts::Role;
use bsn_knowledge::ops::{self, CommandError, UserAction};
use bsn_knowledge::server::{Application, ConfigOrigin, StartError};
use bsn_knowledge::telemetry;
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One crypto provider for every TLS user in the process (server, ACME, outbound HTTP).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();

    let origin = ConfigOrigin {
        source: ConfigSource::resolve(cli.config.clone()),
        overrides: Overrides {
            data_dir: cli.data_dir.clone(),
            http_listen: cli.http_listen,
            log_level: cli.log_level.clone(),
        },
    };
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&origin),
        Command::Version => version(),
        Command::CheckConfig => check_config(&origin),
        Command::Migrate => migrate(&origin),
        Command::Healthcheck { url } => return healthcheck(&origin, url),
        Command::User { command } => user(&origin, command),
        Command::Backup { output } => backup(&origin, output),
        Command::Restore { file } => restore(&origin, &file),
        Command::Export {
            format,
            output,
            topic,
            client_need,
            item_type,
            include_retired,
            limit,
        } => export(
            &origin,
            ops::ExportRequest {
                format,
                output,
                topic,
                client_need,
                item_type,
                include_retired,
                limit,
            },
        ),
    };
    exit_code(outcome)
}

/// The one mapping from a command's outcome to the process exit code.
fn exit_code(outcome: Result<(), CommandError>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn load_config(origin: &ConfigOrigin) -> Result<Config, CommandError> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    Ok(config::load(&origin.source, &env, &origin.overrides)?)
}

fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Deep middleware stacks make large futures in unoptimised builds; 2 MiB is tight.
        .thread_stack_size(8 * 1024 * 1024)
        .build()
        .map_err(|error| CommandError::Failed(anyhow::anyhow!("cannot start the runtime: {error}")))
}

fn version() -> Result<(), CommandError> {
    println!("bsn-knowledge {}", bsn_knowledge::VERSION);
    Ok(())
}

fn check_config(origin: &ConfigOrigin) -> Result<(), CommandError> {
    let config = load_config(origin)?;
    eprintln!("config OK ({})", origin.source.describe());
    for warning in config.warnings() {
        eprintln!("warning: {warning}");
    }
    print!("{}", config.to_masked_toml());
    Ok(())
}

fn migrate(origin: &ConfigOrigin) -> Result<(), CommandError> {
    let config = load_config(origin)?;
    let report = ops::migrate(&config)?;
    if report.applied.is_empty() {
        println!(
            "database is up to date (schema version {})",
            report.current_version
        );
    } else {
        println!(
            "applied {}; schema version {}",
            report.applied.join(", "),
            report.current_version
        );
    }
    Ok(())
}

/// `healthcheck` has exit codes of its own (0 healthy, 1 degraded, 2 unhealthy or unreachable),
/// and a config it cannot read means it cannot say: 2 as well.
fn healthcheck(origin: &ConfigOrigin, url: Option<String>) -> ExitCode {
    let url = match url {
        Some(url) => ops::health_url(&url),
        None => match load_config(origin) {
            Ok(config) => ops::default_health_url(&config),
            Err(error) => return exit_code(Err(error)),
        },
    };
    match runtime() {
        Ok(runtime) => ExitCode::from(runtime.block_on(ops::healthcheck(&url)) as u8),
        Err(error) => exit_code(Err(error)),
    }
}

fn user(origin: &ConfigOrigin, command: UserCommand) -> Result<(), CommandError> {
    let config = load_config(origin)?;
    let action = user_action(command)?;
    runtime()?.block_on(ops::user(&config, action))
}

/// The command line's `user` subcommand as the plain request `ops` takes.
fn user_action(command: UserCommand) -> Result<UserAction, CommandError> {
    Ok(match command {
        UserCommand::Create {
            username,
            role,
            password_file,
            display_name,
            email,
        } => UserAction::Create {
            username,
            role: Role::parse(&role)
                .ok_or_else(|| CommandError::Usage(anyhow::anyhow!("unknown role {role}")))?,
            password_file,
            display_name,
            email,
        },
        UserCommand::List => UserAction::List,
        UserCommand::ResetPassword { username } => UserAction::ResetPassword { username },
        UserCommand::Disable { username } => UserAction::Disable { username },
    })
}

fn backup(origin: &ConfigOrigin, output: Option<PathBuf>) -> Result<(), CommandError> {
    let config = load_config(origin)?;
    ops::backup::command(&config, &origin.source, output)
}

fn restore(origin: &ConfigOrigin, file: &std::path::Path) -> Result<(), CommandError> {
    let config = load_config(origin)?;
    ops::restore::command(&config, file)
}

fn export(origin: &ConfigOrigin, request: ops::ExportRequest) -> Result<(), CommandError> {
    let config = load_config(origin)?;
    println!("{}", ops::export(&config, request)?);
    Ok(())
}

fn serve(origin: &ConfigOrigin) -> Result<(), CommandError> {
    let config = load_config(origin)?;
    let telemetry = telemetry::init(&config.logging)?;
    let runtime = runtime()?;
    tracing::info!(version = bsn_knowledge::VERSION, config = %origin.source.describe(), "starting bsn-knowledge");
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    match ops::raise_open_file_limit() {
        Ok(limit) => tracing::debug!(limit, "open file limit"),
        Err(error) => tracing::warn!(%error, "cannot raise the open file limit"),
    }
    let result = runtime.block_on(async {
        let application = Application::build(config).await?;
        application
            .run_until_stopped(&telemetry, origin.clone())
            .await?;
        Ok::<(), anyhow::Error>(())
    });
    // Background work that outlived the drain (the content load, a scheduled backup's upload) gets
    // a short grace of its own rather than holding the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    result.map_err(|error| {
        let message = match error.downcast_ref::<StartError>() {
            Some(start) => start.to_string(),
            None => format!("{error:#}"),
        };
        tracing::error!("{message}");
        drop(telemetry);
        CommandError::Failed(anyhow::Error::msg(message))
    })
}
