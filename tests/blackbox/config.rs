use std::path::Path;

use crate::helpers::run;

fn write(dir: &Path, text: &str) -> String {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn check_config_prints_the_effective_config_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[auth]\nsecret_key = \"0123456789abcdef0123456789abcdef-very-secret\"\n",
    );
    let outcome = run(dir.path(), &["check-config", "--config", &path], &[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stdout.contains("secret_key = \"********\""),
        "{}",
        outcome.stdout
    );
    assert!(!outcome.stdout.contains("very-secret"));
    assert!(outcome.stdout.contains("[rate_limits]"));
}

#[test]
fn layers_apply_in_order_defaults_file_environment_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[server]\nhttp_listen = \"127.0.0.1:9001\"\nrequest_timeout_secs = 30\n[database]\npool_size = 3\n",
    );
    let env = [
        ("BSN_SERVER__HTTP_LISTEN", "127.0.0.1:9002"),
        ("BSN_DATABASE__POOL_SIZE", "6"),
    ];
    let outcome = run(
        dir.path(),
        &[
            "check-config",
            "--config",
            &path,
            "--http-listen",
            "127.0.0.1:9003",
        ],
        &env,
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let shown: toml::Table = toml::from_str(&outcome.stdout).expect("check-config prints TOML");
    assert_eq!(
        shown["server"]["http_listen"].as_str(),
        Some("127.0.0.1:9003"),
        "flag beats env"
    );
    assert_eq!(
        shown["database"]["pool_size"].as_integer(),
        Some(6),
        "env beats file"
    );
    assert_eq!(
        shown["server"]["request_timeout_secs"].as_integer(),
        Some(30),
        "file beats default"
    );
    assert_eq!(
        shown["server"]["shutdown_grace_secs"].as_integer(),
        Some(10),
        "default"
    );
}

#[test]
fn config_errors_exit_two_and_name_the_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[server]\nhttp_listen = \"127.0.0.1:80\n", "line 2"),
        ("[server]\nhttp_listen = 8000\n", "key `server.http_listen`"),
        (
            "[server]\n\nmax_body = 5\n",
            "line 3, key `server.max_body`",
        ),
        (
            "[logging]\nlevel = \"loud\"\n",
            "line 2, key `logging.level`",
        ),
        (
            "[database]\npool_size = 500\n",
            "line 2, key `database.pool_size`: 500 is out of range",
        ),
        ("[tls]\nmode = \"files\"\n", "tls.cert_file"),
    ];
    for (text, expected) in cases {
        let path = write(dir.path(), text);
        for command in ["check-config", "serve"] {
            let outcome = run(dir.path(), &[command, "--config", &path], &[]);
            assert_eq!(
                outcome.code, 2,
                "{command} with {text:?}: {}",
                outcome.stderr
            );
            assert!(
                outcome.stderr.contains(expected),
                "{command} with {text:?}: {}",
                outcome.stderr
            );
        }
    }
}

#[test]
fn environment_errors_name_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run(
        dir.path(),
        &["check-config"],
        &[("BSN_CACHE__MAX_ENTRIES", "lots")],
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .stderr
            .contains("environment variable BSN_CACHE__MAX_ENTRIES"),
        "{}",
        outcome.stderr
    );
    let outcome = run(
        dir.path(),
        &["check-config"],
        &[("BSN_CACHE__NO_SUCH_KEY", "1")],
    );
    assert_eq!(outcome.code, 2);
    assert!(outcome.stderr.contains("no_such_key"), "{}", outcome.stderr);
}

#[test]
fn a_missing_config_file_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run(
        dir.path(),
        &["check-config", "--config", "/nonexistent/config.toml"],
        &[],
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("cannot read the config file"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn the_packaged_reference_config_is_valid_and_documents_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/config.toml");
    let outcome = run(
        dir.path(),
        &["check-config", "--config", reference.to_str().unwrap()],
        &[],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);

    // Every key of the effective config appears (set or commented out) in the reference file.
    let reference_text = std::fs::read_to_string(&reference).unwrap();
    let defaults = run(dir.path(), &["check-config"], &[]);
    let shown: toml::Table = toml::from_str(&defaults.stdout).unwrap();
    for (section, keys) in &shown {
        assert!(
            reference_text.contains(&format!("[{section}]")),
            "section [{section}] undocumented"
        );
        for key in keys.as_table().unwrap().keys() {
            assert!(
                reference_text.contains(&format!("{key} =")),
                "key {section}.{key} undocumented"
            );
        }
    }
}
