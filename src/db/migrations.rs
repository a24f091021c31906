//! Schema migrations, embedded in the binary and recorded with a checksum.
//!
//! Each file in `migrations/` is applied once, in its own `BEGIN IMMEDIATE` transaction, and recorded
//! in `schema_migrations` with the SHA-256 of its text. A changed applied file, or a database that
//! records a version this binary does not know, stops the start with a message saying what to do.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::DbError;

/// One embedded migration.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. A test checks this list against the files in `migrations/`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_core",
        sql: include_str!("../../migrations/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "0002_accounts",
        sql: include_str!("../../migrations/0002_accounts.sql"),
    },
    Migration {
        version: 3,
        name: "0003_items",
        sql: include_str!("../../migrations/0003_items.sql"),
    },
    Migration {
        version: 4,
        name: "0004_hardening",
        sql: include_str!("../../migrations/0004_hardening.sql"),
    },
    Migration {
        version: 5,
        name: "0005_practice",
        sql: include_str!("../../migrations/0005_practice.sql"),
    },
    Migration {
        version: 6,
        name: "0006_analytics",
        sql: include_str!("../../migrations/0006_analytics.sql"),
    },
    Migration {
        version: 7,
        name: "0007_login_addresses",
        sql: include_str!("../../migrations/0007_login_addresses.sql"),
    },
    Migration {
        version: 8,
        name: "0008_competency_assessments",
        sql: include_str!("../../migrations/0008_competency_assessments.sql"),
    },
    Migration {
        version: 9,
        name: "0009_analytics_rollups",
        sql: include_str!("../../migrations/0009_analytics_rollups.sql"),
    },
    Migration {
        version: 10,
        name: "0010_cat_response_details",
        sql: include_str!("../../migrations/0010_cat_response_details.sql"),
    },
];

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |migration| migration.version)
}

fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT";

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub applied: Vec<&'static str>,
    pub current_version: i64,
}

/// Checks the applied migrations against the embedded ones, then applies the pending ones.
pub fn apply(conn: &mut Connection, now: &str) -> Result<MigrationReport, DbError> {
    conn.execute_batch(CREATE_TABLE)?;
    verify(conn)?;
    let mut applied = Vec::new();
    for migration in MIGRATIONS {
        let done: Option<i64> = conn
            .query_row(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                [migration.version],
                |row| row.get(0),
            )
            .optional()?;
        if done.is_some() {
            continue;
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(migration.sql)
            .map_err(|source| DbError::MigrationFailed {
                name: migration.name,
                message: source.to_string(),
            })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)",
            params![migration.version, migration.name, checksum(migration.sql), now],
        )?;
        tx.commit()?;
        applied.push(migration.name);
    }
    Ok(MigrationReport {
        applied,
        current_version: current_version(conn)?,
    })
}

/// Refuses a database that is newer than the binary or whose applied migrations were changed.
pub fn verify(conn: &Connection) -> Result<(), DbError> {
    let mut statement =
        conn.prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version")?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (version, name, recorded) = row?;
        match MIGRATIONS
            .iter()
            .find(|migration| migration.version == version)
        {
            None => {
                return Err(DbError::NewerThanBinary {
                    database_version: version,
                    binary_version: latest_version(),
                });
            }
            Some(migration) if checksum(migration.sql) != recorded => {
                return Err(DbError::ChangedMigration { name });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The highest applied version, 0 for an empty database.
pub fn current_version(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_matches_the_migrations_folder() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{}.sql", m.name))
            .collect();
        assert_eq!(files, listed);
        // Consecutive from 1: `apply` runs what is above the stored version, so a gap filled in
        // later would never run on a database that already passed it.
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                migration.version,
                index as i64 + 1,
                "versions are consecutive from 1"
            );
        }
        for migration in MIGRATIONS {
            assert!(
                migration
                    .name
                    .starts_with(&format!("{:04}_", migration.version))
            );
        }
    }

    #[test]
    fn migrations_apply_once_and_are_recorded() {
        let mut conn = Connection::open_in_memory().unwrap();
        let first = apply(&mut conn, "2026-01-01T00:00:00Z").unwrap();
        assert_eq!(first.applied.len(), MIGRATIONS.len());
        assert_eq!(first.current_version, latest_version());
        let second = apply(&mut conn, "2026-01-02T00:00:00Z").unwrap();
        assert!(second.applied.is_empty());
        let count: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_changed_applied_migration_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, "t").unwrap();
        conn.execute(
            "UPDATE schema_migrations SET checksum = 'x' WHERE version = 1",
            [],
        )
        .unwrap();
        assert!(matches!(
            apply(&mut conn, "t"),
            Err(DbError::ChangedMigration { .. })
        ));
    }

    #[test]
    fn a_database_newer_than_the_binary_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, "t").unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (999, '0999_future', 'x', 't')",
            [],
        )
        .unwrap();
        assert!(matches!(
            apply(&mut conn, "t"),
            Err(DbError::NewerThanBinary {
                database_version: 999,
                ..
            })
        ));
    }
}
