//! The layering rules of ARCHITECTURE.md, checked on the source: a test fails when a file uses a
//! crate or module its layer must not. The checker reads Rust source with comments and string
//! literals removed and collects the root paths it names (`axum::Router`, `use std::{fs, io}`,
//! `crate::db::Db`); each rule lists the files allowed to name a root.

use std::path::{Path, PathBuf};

/// A path the source names from its root: `("std", "fs")` for `std::fs::read` or for the `fs` of
/// `use std::{fs, io}`; `("axum", "Router")`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RootPath {
    root: String,
    first: String,
    line: usize,
}

/// `source` with comments, string and char literals blanked out (newlines kept, so line numbers
/// stay true).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"') | Some('#'))
            && (i == 0
                || !is_ident(chars[i - 1])
                || (chars[i - 1] == 'b' && (i < 2 || !is_ident(chars[i - 2]))))
        {
            // Raw string: r"..." or r#"..."# (also br"...").
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match chars.get(j) {
                    None => break,
                    Some('"') if (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some(_) => j += 1,
                }
            }
            for &skipped in &chars[i..j.min(chars.len())] {
                out.push(blank(skipped));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let end = if next == Some('\\') {
                (i + 3..chars.len()).find(|&k| chars[k] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    for _ in i..=end {
                        out.push(' ');
                    }
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `code` (from [`code_only`]) with every item marked `#[cfg(test)]` blanked: test helpers may read
/// files or use what the layer's code may not.
fn without_test_items(code: &str) -> String {
    let mark: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i + mark.len() <= chars.len() {
        if chars[i..i + mark.len()] != mark[..] {
            i += 1;
            continue;
        }
        // The item runs to its first `;` outside braces, or to the brace closing its body.
        let mut end = i + mark.len();
        let mut depth = 0usize;
        while end < chars.len() {
            let c = chars[end];
            end += 1;
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                ';' if depth == 0 => break,
                _ => {}
            }
        }
        for c in &mut chars[i..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = end;
    }
    chars.into_iter().collect()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The root paths `code` (see [`code_only`]) names.
fn root_paths(code: &str) -> Vec<RootPath> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            line += 1;
        }
        let starts_ident = is_ident(chars[i])
            && (i == 0 || !is_ident(chars[i - 1]))
            && !preceded_by_path_separator(&chars, i);
        if !starts_ident {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        let root: String = chars[start..i].iter().collect();
        if chars.get(i) != Some(&':') || chars.get(i + 1) != Some(&':') {
            continue;
        }
        let mut j = i + 2;
        while chars.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        if chars.get(j) == Some(&'{') {
            // A use group: its first-level names.
            let mut depth = 0;
            let mut expect_name = true;
            let mut k = j;
            while k < chars.len() {
                match chars[k] {
                    '{' => {
                        depth += 1;
                        expect_name = depth == 1;
                        k += 1;
                    }
                    '}' => {
                        depth -= 1;
                        k += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        expect_name = true;
                        k += 1;
                    }
                    c if is_ident(c) && expect_name && depth == 1 => {
                        let name_start = k;
                        while k < chars.len() && is_ident(chars[k]) {
                            k += 1;
                        }
                        found.push(RootPath {
                            root: root.clone(),
                            first: chars[name_start..k].iter().collect(),
                            line,
                        });
                        expect_name = false;
                    }
                    _ => k += 1,
                }
            }
        } else {
            let name_start = j;
            while j < chars.len() && is_ident(chars[j]) {
                j += 1;
            }
            found.push(RootPath {
                root,
                first: chars[name_start..j].iter().collect(),
                line,
            });
        }
    }
    found
}

fn preceded_by_path_separator(chars: &[char], at: usize) -> bool {
    let mut k = at;
    while k > 0 && chars[k - 1].is_whitespace() {
        k -= 1;
    }
    k >= 2 && chars[k - 1] == ':' && chars[k - 2] == ':'
}

/// Who may name a root: paths relative to `src/`, a trailing `/` meaning the whole directory.
struct Rule {
    /// What the rule keeps out, for the failure message.
    why: &'static str,
    /// Matches a named path.
    names: fn(&RootPath) -> bool,
    /// Files that may (or, with `only_in` false, may not) name it.
    files: &'static [&'static str],
    /// True: only `files` may name it. False: `files` must not.
    only_in: bool,
}

fn in_files(path: &str, files: &[&str]) -> bool {
    files.iter().any(|file| {
        if file.ends_with('/') {
            path.starts_with(file)
        } else {
            path == *file
        }
    })
}

const IO_CRATES: &[&str] = &[
    "axum",
    "hyper",
    "hyper_util",
    "tower",
    "tower_http",
    "tokio",
    "tokio_rustls",
    "reqwest",
    "rusqlite",
    "r2d2",
    "r2d2_sqlite",
];

fn rules() -> Vec<Rule> {
    vec![
        Rule {
            why: "the domain core does no IO: no web, async, database or HTTP client crates, no std::fs/net/process/env/thread, and nothing of the crate outside the domain",
            names: |path| {
                IO_CRATES.contains(&path.root.as_str())
                    || (path.root == "std"
                        && ["fs", "net", "process", "env", "thread"].contains(&path.first.as_str()))
                    || (path.root == "crate" && path.first != "domain")
            },
            files: &["domain/"],
            only_in: false,
        },
        Rule {
            why: "axum is the HTTP edge's: only src/http/ and the serve loop use it",
            names: |path| path.root == "axum",
            files: &["http/", "server.rs", "server/"],
            only_in: true,
        },
        Rule {
            why: "hyper is for the edge and TLS termination (the ACME client's HTTP trait speaks hyper types)",
            names: |path| path.root == "hyper" || path.root == "hyper_util",
            files: &["http/", "server.rs", "server/", "tls/"],
            only_in: true,
        },
        Rule {
            why: "SQLite belongs to storage; backup and restore use its online-backup and integrity APIs, the content index is an in-memory FTS table",
            names: |path| {
                path.root == "rusqlite" || path.root == "r2d2" || path.root == "r2d2_sqlite"
            },
            files: &["db/", "ops/backup.rs", "ops/restore.rs", "content.rs"],
            only_in: true,
        },
        Rule {
            why: "clap types stay in the command line; ops takes plain types",
            names: |path| path.root == "clap" || (path.root == "crate" && path.first == "cli"),
            files: &["cli.rs", "main.rs"],
            only_in: true,
        },
        Rule {
            why: "nothing below the HTTP edge uses it; only the serve loop builds it",
            names: |path| path.root == "crate" && path.first == "http",
            files: &["http/", "server.rs", "server/"],
            only_in: true,
        },
    ]
}

/// The violations in one file (`relative`: its path below `src/`).
fn violations(relative: &str, source: &str) -> Vec<String> {
    let paths = root_paths(&without_test_items(&code_only(source)));
    let mut found = Vec::new();
    for rule in rules() {
        let listed = in_files(relative, rule.files);
        let bound = if rule.only_in { !listed } else { listed };
        if !bound {
            continue;
        }
        for path in paths.iter().filter(|path| (rule.names)(path)) {
            found.push(format!(
                "src/{relative}:{}: {}::{}: {}",
                path.line, path.root, path.first, rule.why
            ));
        }
    }
    found
}

/// The modules of `lib.rs` in their listed order.
fn module_order(lib: &str) -> Vec<String> {
    code_only(lib)
        .lines()
        .filter_map(|line| {
            let name = line.trim().strip_prefix("pub mod ")?.strip_suffix(';')?;
            Some(name.trim().to_owned())
        })
        .collect()
}

/// Uses of a module listed above the file's own in `order` ("dependencies point down").
fn order_violations(relative: &str, source: &str, order: &[String]) -> Vec<String> {
    let own = relative
        .split('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".rs");
    let Some(own_rank) = order.iter().position(|name| name == own) else {
        return Vec::new();
    };
    root_paths(&without_test_items(&code_only(source)))
        .into_iter()
        .filter(|path| path.root == "crate")
        .filter_map(|path| {
            let rank = order.iter().position(|name| *name == path.first)?;
            (rank < own_rank).then(|| {
                format!(
                    "src/{relative}:{}: crate::{}: `{own}` is listed above it in lib.rs, so it must not use it",
                    path.line, path.first
                )
            })
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The files of modules declared `#[cfg(test)] mod name;` in `source` (the file at `relative`):
/// test-only like the items [`without_test_items`] blanks, but kept in a file of their own.
fn test_module_files(relative: &str, source: &str) -> Vec<String> {
    let dir = match relative.rsplit_once('/') {
        _ if relative == "lib.rs" => String::new(),
        Some((parent, "mod.rs")) => format!("{parent}/"),
        Some((parent, file)) => format!("{parent}/{}/", file.trim_end_matches(".rs")),
        None => format!("{}/", relative.trim_end_matches(".rs")),
    };
    let code = code_only(source);
    let mut files = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        rest = &rest[at + "#[cfg(test)]".len()..];
        let declaration = rest.trim_start();
        let Some(after_mod) = declaration.strip_prefix("mod ") else {
            continue;
        };
        let name: String = after_mod
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let tail = after_mod.trim_start()[name.len()..].trim_start();
        if !name.is_empty() && tail.starts_with(';') {
            files.push(format!("{dir}{name}.rs"));
            files.push(format!("{dir}{name}/mod.rs"));
        }
    }
    files
}

#[test]
fn modules_declared_test_only_are_found_and_inline_ones_are_not() {
    let source = "#[cfg(test)]\nmod golden_tests;\n#[cfg(test)]\nmod tests { }\nmod real;\n";
    assert_eq!(
        test_module_files("domain/items/mod.rs", source),
        [
            "domain/items/golden_tests.rs",
            "domain/items/golden_tests/mod.rs"
        ]
    );
    assert_eq!(
        test_module_files("http/cat.rs", source),
        ["http/cat/golden_tests.rs", "http/cat/golden_tests/mod.rs"]
    );
    assert_eq!(
        test_module_files("lib.rs", "#[cfg(test)] mod layering;"),
        ["layering.rs", "layering/mod.rs"]
    );
}

#[test]
fn every_source_file_keeps_to_its_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "found only {} files", files.len());
    let order = module_order(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    assert!(order.len() > 10, "{order:?}");
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|file| {
            let relative = file
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (relative, std::fs::read_to_string(file).unwrap())
        })
        .collect();
    let test_only: std::collections::HashSet<String> = sources
        .iter()
        .flat_map(|(relative, source)| test_module_files(relative, source))
        .collect();
    let mut found = Vec::new();
    for (relative, source) in &sources {
        if relative == "layering.rs" || test_only.contains(relative) {
            continue;
        }
        found.extend(violations(relative, source));
        found.extend(order_violations(relative, source, &order));
    }
    assert!(
        found.is_empty(),
        "layering rules broken:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checker_finds_each_kind_of_violation() {
    let domain = "use std::{fmt, fs::File};\nuse crate::db::Db;\nfn f() { let _ = tokio::spawn(async {}); }\n";
    let found = violations("domain/items/mod.rs", domain);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0].starts_with("src/domain/items/mod.rs:1: std::fs"),
        "{found:?}"
    );
    assert!(found.iter().any(|line| line.contains(":2: crate::db")));
    assert!(found.iter().any(|line| line.contains(":3: tokio::spawn")));

    assert_eq!(violations("health.rs", "use axum::Router;").len(), 1);
    assert_eq!(violations("http/items.rs", "use axum::Router;").len(), 0);
    assert_eq!(
        violations("ops/mod.rs", "fn f(c: crate::cli::UserCommand) {}").len(),
        1
    );
    assert_eq!(
        violations("auth/mod.rs", "use rusqlite::Connection;").len(),
        1
    );
    assert_eq!(
        violations("db/items.rs", "use rusqlite::Connection;").len(),
        0
    );
}

#[test]
fn a_module_may_use_only_modules_listed_below_it() {
    let order =
        module_order("/// x\npub mod http;\npub mod db;\n// pub mod gone;\npub mod domain;\n");
    assert_eq!(order, ["http", "db", "domain"]);
    assert!(order_violations("http/items.rs", "use crate::db::Db;", &order).is_empty());
    let found = order_violations(
        "db/mod.rs",
        "use crate::{domain::Id, http::AppState};",
        &order,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("crate::http"), "{found:?}");
}

#[test]
fn comments_strings_and_nested_paths_are_not_imports() {
    let source = r##"
        //! Uses no axum::Router here.
        /* tokio::spawn /* nested */ std::fs */
        const A: &str = "axum::Router";
        const B: &str = r#"tokio::spawn("x")"#;
        const C: char = '"';
        const D: char = '\'';
        const E: &[u8] = br#"hyper::Body "quoted""#;
        fn f<'a>(x: &'a str) -> crate::domain::Id { other::axum::thing(x) }
    "##;
    assert_eq!(violations("domain/mod.rs", source), Vec::<String>::new());
    assert_eq!(violations("health.rs", source), Vec::<String>::new());
    // And what follows the literals is still seen.
    let after = format!("{source}\nfn g() {{ std::fs::read(\"x\"); }}");
    assert_eq!(violations("domain/mod.rs", &after).len(), 1);
}

#[test]
fn test_only_items_are_exempt_and_what_follows_them_is_not() {
    let source = "#[cfg(test)]\nfn load() { let _ = std::fs::read(\"x\"); }\n#[cfg(test)]\nuse std::fs;\n#[cfg(test)]\nmod tests { use std::net::TcpStream; fn f() { { } } }\nfn real() { std::fs::read(\"y\"); }\n";
    let found = violations("domain/knowledge/mod.rs", source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("src/domain/knowledge/mod.rs:7: std::fs"),
        "{found:?}"
    );
}
