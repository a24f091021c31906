//! Entry point: parse the command line, load the config, dispatch, and turn the outcome into an exit
//! code (0 success, 1 failure, 2 config or usage error, as the contract fixes).

use std::collections::BTreeMap;
use std::process::ExitCode;

use bsn_knowledge::cli::{Cli, Command};
use bsn_knowledge::config::{self, Config, ConfigError, ConfigSource, Overrides};
use bsn_knowledge::server::{Application, ConfigOrigin, StartError};
use bsn_knowledge::{ops, telemetry};
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
    match cli.command.unwrap_or(Command::Serve) {
        Command::Export {
            format,
            output,
            topic,
            client_need,
            item_type,
            include_retired,
            limit,
        } => {
            let config = match load_config(&origin) {
                Ok(config) => config,
                Err(error) => return config_failure(&error),
            };
            let request = ops::ExportRequest {
                format,
                output,
                topic,
                client_need,
                item_type,
                include_retired,
                limit,
            };
            match ops::export(&config, request) {
                Ok(summary) => {
                    println!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(error) => failure(&format!("{error:#}")),
            }
        }
        Command::Version => {
            println!("bsn-knowledge {}", bsn_knowledge::VERSION);
            ExitCode::SUCCESS
        }
        Command::CheckConfig => match load_config(&origin) {
            Ok(config) => {
                eprintln!("config OK ({})", origin.source.describe());
                for warning in config.warnings() {
                    eprintln!("warning: {warning}");
                }
                print!("{}", config.to_masked_toml());
                ExitCode::SUCCESS
            }
            Err(error) => config_failure(&error),
        },
        Command::Migrate => {
            let config = match load_config(&origin) {
                Ok(config) => config,
                Err(error) => return config_failure(&error),
            };
            match ops::migrate(&config) {
                Ok(report) => {
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
                    ExitCode::SUCCESS
                }
                Err(error) => failure(&error),
            }
        }
        Command::Healthcheck { url } => {
            let url = match url {
                Some(url) => url,
                None => match load_config(&origin) {
                    Ok(config) => ops::default_health_url(&config),
                    Err(error) => return config_failure(&error),
                },
            };
            match runtime() {
                Ok(runtime) => ExitCode::from(runtime.block_on(ops::healthcheck(&url)) as u8),
                Err(error) => failure(&error),
            }
        }
        Command::User { command } => {
            let config = match load_config(&origin) {
                Ok(config) => config,
                Err(error) => return config_failure(&error),
            };
            match runtime() {
                Ok(runtime) => match runtime.block_on(ops::user(&config, command)) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(error) => {
                        let bad_argument = matches!(
                            error.downcast_ref::<bsn_knowledge::auth::accounts::AccountError>(),
                            Some(bsn_knowledge::auth::accounts::AccountError::Invalid { .. })
                        );
                        eprintln!("error: {error:#}");
                        ExitCode::from(if bad_argument { 2 } else { 1 })
                    }
                },
                Err(error) => failure(&error),
            }
        }
        Command::Backup { output } => match load_config(&origin) {
            Ok(config) => ops::backup::command(&config, &origin.source, output),
            Err(error) => config_failure(&error),
        },
        Command::Restore { file } => match load_config(&origin) {
            Ok(config) => ops::restore::command(&config, &file),
            Err(error) => config_failure(&error),
        },
        Command::Serve => serve(origin),
    }
}

fn serve(origin: ConfigOrigin) -> ExitCode {
    let config = match load_config(&origin) {
        Ok(config) => config,
        Err(error) => return config_failure(&error),
    };
    let telemetry = match telemetry::init(&config.logging) {
        Ok(telemetry) => telemetry,
        Err(error) => return failure(&error),
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(error) => return failure(&error),
    };
    tracing::info!(version = bsn_knowledge::VERSION, config = %origin.source.describe(), "starting bsn-knowledge");
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    let result = runtime.block_on(async {
        let application = Application::build(config).await?;
        application.run_until_stopped(&telemetry, origin).await?;
        Ok::<(), anyhow::Error>(())
    });
    // Background work that outlived the drain (the content load, a scheduled backup's upload) gets
    // a short grace of its own rather than holding the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = match error.downcast_ref::<StartError>() {
                Some(start) => start.to_string(),
                None => format!("{error:#}"),
            };
            tracing::error!("{message}");
            drop(telemetry);
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(origin: &ConfigOrigin) -> Result<Config, ConfigError> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    config::load(&origin.source, &env, &origin.overrides)
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Deep middleware stacks make large futures in unoptimised builds; 2 MiB is tight.
        .thread_stack_size(8 * 1024 * 1024)
        .build()
}

fn config_failure(error: &ConfigError) -> ExitCode {
    eprintln!("{error}");
    ExitCode::from(2)
}

fn failure(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error:#}");
    ExitCode::FAILURE
}
