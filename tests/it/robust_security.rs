//! What kqlite may touch (issue 7): only the files it is given. It runs no
//! program and makes no network connection; `externaldata` (a URL or any
//! other location) is refused before anything is read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::Engine;
use kqlite::output::JsonLinesWriter;

fn compile_error(query: &str) -> (String, i32) {
    let engine = Engine::new();
    match engine.compile(query) {
        Ok(_) => panic!("compiled: {query}"),
        Err(e) => (e.render(query, "query"), e.exit_code()),
    }
}

#[test]
fn externaldata_is_refused_for_every_location() {
    for location in [
        r#""https://example.com/logs.csv""#,
        r#"h@"https://user:secret@example.com/logs.csv?sig=abc""#,
        r#""http://127.0.0.1:8080/x""#,
        r#"@"file:///etc/passwd""#,
        r#""/etc/passwd""#,
        r#""\\\\server\\share\\x.csv""#,
    ] {
        let query = format!("externaldata (line: string) [{location}] with (format = 'txt')");
        let (message, code) = compile_error(&query);
        assert_eq!(code, 2, "{message}");
        assert!(
            message.contains("'externaldata' is not supported")
                && message.contains("makes no network connection"),
            "{message}"
        );
        // Also inside a larger query, after `let` and in a join.
        let query = format!(
            "let ext = externaldata (line: string) [{location}];\nprint x = 1 | join (ext) on $left.x == $right.line"
        );
        let (message, code) = compile_error(&query);
        assert_eq!(code, 2, "{message}");
        assert!(message.contains("externaldata"), "{message}");
    }
}

#[test]
fn externaldata_is_refused_on_the_command_line() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .arg(r#"externaldata (a: string) ["https://example.com/a.csv"]"#)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("makes no network connection"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn xml_entities_never_read_files_or_expand_without_bound() {
    let engine = Engine::new();
    for xml in [
        r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#,
        r#"<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><x>&d;&d;&d;&d;&d;&d;&d;&d;</x>"#,
    ] {
        let query = format!("print r = tostring(parse_xml('{xml}'))");
        let q = engine.compile(&query).unwrap();
        let mut out = JsonLinesWriter::new(Vec::new());
        q.run(&engine, &mut out).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(!text.contains("root:"), "{text}");
        assert!(text.len() < 10_000, "{} bytes", text.len());
    }
}

/// Every source file of the crate, outside its tests.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                // Unit tests sit at the end of a file, after `#[cfg(test)]`.
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                out.push((p.display().to_string(), code));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut out,
    );
    out
}

#[test]
fn the_code_runs_no_program_opens_no_socket_and_writes_no_file() {
    let forbidden = [
        "std::process::Command",
        "process::Command",
        "Command::new",
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "UnixStream",
        "ToSocketAddrs",
        "File::create",
        "OpenOptions",
        "fs::write",
        "fs::remove",
        "libc::exec",
        "libc::socket",
        "libc::system",
        "libc::fork",
    ];
    let mut found = Vec::new();
    for (path, code) in sources() {
        for f in forbidden {
            if code.contains(f) {
                found.push(format!("{path}: {f}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_dependency_speaks_a_network_protocol() {
    let lock = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"),
    )
    .unwrap();
    for name in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "isahc",
        "surf",
        "attohttpc",
        "tokio",
        "async-std",
        "mio",
        "socket2",
        "rustls",
        "native-tls",
        "openssl",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{name}\"")),
            "Cargo.lock has {name}: kqlite makes no network connection"
        );
    }
}
