//! Embedding kqlite in a Rust program: load a log file, run a published
//! style query with a parameter, read typed rows, add a typed in-memory
//! table and join it.
//!
//! `cargo run --example embed [OPERATION]` (default: role assignments).

use kqlite::DataType;
use kqlite::DateTime;
use kqlite::{Engine, Params, Table};

/// Who granted roles, how often, and when last: a query with two
/// parameters, one of them with a default.
const QUERY: &str = r#"
declare query_parameters(operation:string, minimum:long = 1);
AzureActivity
| where OperationNameValue =~ operation
| summarize Count = count(), Last = max(TimeGenerated) by Caller
| where Count >= minimum
| order by Count desc, Caller asc"#;

fn main() -> Result<(), kqlite::Error> {
    let operation = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Microsoft.Authorization/roleAssignments/write".to_string());

    // 1. Load a file (a directory or a glob works too); its format is
    //    recognised by its content.
    let mut engine = Engine::new();
    engine.add_path(
        "AzureActivity",
        "examples/data/AzureActivity/role-assignments.synthetic.jsonl",
    )?;

    // 2. Compile the query with a value for its parameter. A name the query
    //    does not declare, or a value of the wrong type, is an error here.
    let params = Params::new().param("operation", operation.as_str());
    let query = engine.compile_with(QUERY, &params)?;

    // 3. Iterate typed rows: columns by name or position, as Rust types.
    println!("callers of {operation}:");
    for row in query.rows(&engine)? {
        let caller: &str = row.get("Caller")?;
        let count: i64 = row.get("Count")?;
        let last: Option<DateTime> = row.get("Last")?;
        let last = last.map(|d| d.to_string()).unwrap_or_default();
        println!("  {caller:<36} {count:>3}  last at {last}");
    }

    // 4. Add a typed in-memory table. Each row is checked against the
    //    columns: a value of another type is an error naming row and column.
    let mut owners = Table::with_columns([
        ("Caller", DataType::String),
        ("Team", DataType::String),
        ("Trusted", DataType::Bool),
    ]);
    owners.push(vec![
        "deploy-sp@contoso.onmicrosoft.com".into(),
        "platform".into(),
        true.into(),
    ])?;
    owners.push(vec![
        "bob@contoso.com".into(),
        "platform".into(),
        false.into(),
    ])?;
    owners.push(vec![
        "alice@contoso.com".into(),
        "security".into(),
        true.into(),
    ])?;
    if let Err(e) = owners.push(vec![
        "mallory@fabrikam.com".into(),
        7i64.into(),
        false.into(),
    ]) {
        println!("rejected: {e}");
    }
    engine.add_table("Owners", owners)?;

    // 5. Join it: callers that are not trusted, or that no team owns.
    let joined = format!(
        "{QUERY}
| join kind=leftouter Owners on Caller
| where Trusted != true
| project Caller, Team, Count"
    );
    let table = engine
        .compile_with(&joined, &params.param("minimum", 1))?
        .collect(&engine)?;
    println!("untrusted callers ({} of them):", table.len());
    for row in &table {
        let team = match row.get::<&str>("Team")? {
            "" => "(no team)",
            team => team,
        };
        println!(
            "  {:<36} {team:<10} {:>3}",
            row.get::<&str>("Caller")?,
            row.get::<i64>("Count")?
        );
    }
    Ok(())
}
