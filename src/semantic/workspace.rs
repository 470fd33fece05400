//! What a Log Analytics workspace gives a query besides its tables: stored
//! functions (ASIM parsers and other workspace functions), watchlists
//! (`_GetWatchlist('alias')`) and local mirrors of the files `externaldata`
//! names. The binder looks names up here after the query's own `let`s.

use super::bind::{Binding, FunctionDef};
use crate::schema::Schema;
use crate::syntax::ast::{LetValue, StatementKind};
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A watchlist: the schema and rows `_GetWatchlist` returns.
type Watchlist = (Schema, Arc<Vec<Vec<Value>>>);

/// Stored functions, watchlists and `externaldata` mirrors, shared by every
/// query an engine compiles.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Stored functions by name, as `let` functions.
    functions: BTreeMap<String, Binding>,
    /// Each stored function's declaration text, to find what it reads.
    texts: BTreeMap<String, String>,
    /// Watchlists by alias: the schema and rows `_GetWatchlist` returns.
    watchlists: BTreeMap<String, Watchlist>,
    /// Local files standing for `externaldata` URLs, by URL.
    pub(super) external: BTreeMap<String, PathBuf>,
    /// A folder holding local copies of `externaldata` URLs, by file name.
    pub(super) external_dir: Option<PathBuf>,
}

/// Why a stored function could not be defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionError(pub String);

impl std::fmt::Display for FunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Defines the stored function `name` with `params` (the text between
    /// the parentheses of a declaration: `starttime:datetime=datetime(null),
    /// srcipaddr:string='*'`) and `body` (statements ending in an
    /// expression). `origin` (a file name) is shown in errors inside the
    /// function. A later definition of a name replaces the earlier one.
    ///
    /// # Errors
    ///
    /// When the declaration does not parse (the message carries the
    /// syntax error).
    pub fn define_function(
        &mut self,
        name: &str,
        params: &str,
        body: &str,
        origin: &str,
    ) -> Result<(), FunctionError> {
        let text = format!("let {name} = ({params}) {{\n{body}\n}};");
        let ast = crate::syntax::parse(&text)
            .map_err(|e| FunctionError(format!("function '{name}': {e}")))?;
        let Some(StatementKind::Let {
            value: LetValue::Function { params, body, .. },
            ..
        }) = ast.statements.into_iter().next().map(|s| s.kind)
        else {
            return Err(FunctionError(format!(
                "function '{name}': not a function declaration"
            )));
        };
        let def = FunctionDef {
            name: name.to_string(),
            params,
            body,
            origin: Some(origin.to_string()),
        };
        self.functions
            .insert(name.to_string(), Binding::Function(Arc::new(def)));
        self.texts.insert(name.to_string(), text);
        Ok(())
    }

    /// The names of the stored functions, in order.
    pub fn function_names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }

    /// Whether a function `name` is stored.
    pub fn has_function(&self, name: &str) -> bool {
        self.functions.contains_key(name)
    }

    /// The text of every stored function `text` may call, directly or
    /// through other stored functions (a name is taken as called when it
    /// appears in the text), each once.
    pub fn called_function_text(&self, text: &str) -> String {
        let mut out = String::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut pending = vec![text.to_string()];
        while let Some(t) = pending.pop() {
            for (name, body) in &self.texts {
                if seen.contains(&name.as_str()) || !mentions(&t, name) {
                    continue;
                }
                seen.push(name);
                out.push_str(body);
                out.push('\n');
                pending.push(body.clone());
            }
        }
        out
    }

    /// Registers a watchlist: what `_GetWatchlist('alias')` returns.
    pub fn add_watchlist(&mut self, alias: &str, schema: Schema, rows: Vec<Vec<Value>>) {
        self.watchlists
            .insert(alias.to_string(), (schema, Arc::new(rows)));
    }

    /// The watchlist of `alias`.
    pub(super) fn watchlist(&self, alias: &str) -> Option<&(Schema, Arc<Vec<Vec<Value>>>)> {
        self.watchlists.get(alias)
    }

    /// The aliases of the watchlists, in order.
    pub fn watchlist_aliases(&self) -> impl Iterator<Item = &str> {
        self.watchlists.keys().map(String::as_str)
    }

    /// Reads `url` in `externaldata` from `path` instead.
    pub fn add_external(&mut self, url: &str, path: PathBuf) {
        self.external.insert(url.to_string(), path);
    }

    /// Reads every `externaldata` URL from the file of the same name (the
    /// last segment of its path) in `dir`, unless [`Workspace::add_external`]
    /// named a file for it.
    pub fn set_external_dir(&mut self, dir: PathBuf) {
        self.external_dir = Some(dir);
    }

    pub(super) fn function(&self, name: &str) -> Option<&Binding> {
        self.functions.get(name)
    }
}

/// Whether `name` appears in `text` as a whole identifier.
fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}
