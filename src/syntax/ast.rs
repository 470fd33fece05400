//! The syntax tree of a KQL query, as written.
//!
//! Names are not resolved here and nothing is typed: `T`, `x` and `f` are just
//! names until the binder looks them up. Tabular and scalar expressions share
//! one [`Expr`] type because the grammar does (`(T | count)` may stand where a
//! scalar is expected, `toscalar(...)` takes a pipeline, a `let` right-hand
//! side can be either); the binder decides which is which.
//!
//! Every node carries a [`Span`]; spans compare equal, so trees compare by
//! structure. Variants have named fields only.

use crate::span::Span;

pub use super::graph::{
    EdgeDirection, GraphEdge, GraphNode, GraphOperator, GraphSequence, GraphTableItem,
};

/// A whole query: statements separated by `;`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// `let name = value`
    Let { name: Ident, value: LetValue },
    /// `set name [= value]`: a request option (e.g. `set query_now = datetime(...)`).
    Set { name: Ident, value: Option<Expr> },
    /// `declare query_parameters (name:type [= default], ...)`
    DeclareQueryParameters { params: Vec<Param> },
    /// A tabular expression statement: its result is a table of the answer.
    Expr { expr: Expr },
}

#[derive(Clone, Debug, PartialEq)]
pub enum LetValue {
    /// A scalar or tabular expression (including `materialize(...)`).
    Expr { expr: Expr },
    /// `(params) { body }`, or `view (params) { body }` when `view` is true.
    Function {
        view: bool,
        params: Vec<Param>,
        body: FunctionBody,
    },
}

/// `{ let a = ...; let b = ...; result }`: inner statements then the result.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionBody {
    /// `let`/`set` statements and, last, the result expression statement
    /// (absent in the rare empty body).
    pub statements: Vec<Statement>,
    pub span: Span,
}

/// A function or query parameter: `name: type [= default]` or a tabular
/// parameter `T: (col: type, ...)` / `T: (*)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: ParamType,
    /// A literal default value (only for scalar parameters).
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    Scalar {
        ty: TypeName,
    },
    /// `(col: type, ...)`; `columns` is `None` for `(*)`.
    Tabular {
        columns: Option<Vec<ColumnDecl>>,
    },
}

/// `name: type`, in `datatable`, `externaldata`, tabular parameters, `parse-kv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDecl {
    pub name: Ident,
    pub ty: TypeName,
    pub span: Span,
}

/// A scalar type keyword as written (`string`, `long`, `int`, `real`, `double`,
/// `datetime`, `date`, `time`, `timespan`, `bool`, `boolean`, `guid`, `uniqueid`,
/// `dynamic`, `decimal`...). The binder maps aliases to types.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeName {
    pub name: String,
    pub span: Span,
}

/// An identifier, already unquoted: `['my col']` gives `my col`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A column name or name pattern in `project-away`, `project-keep`,
/// `project-reorder`, `union` table lists: `Col`, `prefix*`, `*suffix`, `a*b`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamePattern {
    /// The name with `*` standing for any run of characters.
    pub pattern: String,
    pub span: Span,
}

/// `[name =] expr`, `(a, b) = expr`, or just `expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedExpr {
    /// Empty when the column is named implicitly; several for tuple assignment.
    pub names: Vec<Ident>,
    pub expr: Expr,
    pub span: Span,
}

/// An operator parameter written `name=value` right after the operator
/// keyword: `kind=inner`, `hint.strategy=shuffle`, `isfuzzy=true`,
/// `withsource=TableName`, `bagexpansion=array`, `with_itemindex=i`.
#[derive(Clone, Debug, PartialEq)]
pub struct OpParam {
    pub name: Ident,
    /// A name (`inner`, `shuffle`) or a literal (`true`, `4`, `"x"`).
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal {
        value: Literal,
    },
    /// A column, a `let`-bound name, a parameter or a table.
    Name {
        name: Ident,
    },
    /// `*` as an argument (`count(*)`, `pack_array(*)`) or the left side of
    /// an any-column predicate (`* has "x"`).
    Star,
    /// `( expr )`: kept so printing round-trips and spans cover the brackets.
    Paren {
        expr: Box<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `x in (a, b)`, `x !in~ (T | project c)`, `x has_any (...)`, `x has_all (...)`.
    List {
        op: ListOp,
        left: Box<Expr>,
        items: Vec<Expr>,
    },
    /// `x between (low .. high)`, `x !between (low .. high)`.
    Between {
        negated: bool,
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `f(args)`, including `toscalar(T | ...)`, `materialize(T | ...)`,
    /// `table("name")`, `column_ifexists("c", "")`. Arguments may be
    /// pipelines.
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
    /// `name = value` as a function or plugin argument:
    /// `bag_unpack(d, columnsConflict='replace_source')`,
    /// `ipv4_lookup(T, ip, net, return_unmatched = true)`. Appears only in
    /// [`ExprKind::Call`] arguments.
    NamedArg {
        name: Ident,
        value: Box<Expr>,
    },
    /// `target.name`
    Member {
        target: Box<Expr>,
        name: Ident,
    },
    /// `target[index]`, `target["key"]` and `target.["key"]`.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `typeof(string)`: a type used as a value (`extract(..., typeof(int))`).
    TypeOf {
        ty: TypeName,
    },
    /// An operator that starts a pipeline: `print`, `range`, `datatable`,
    /// `union`, `search`, `find`, `externaldata`, `evaluate`.
    Source {
        operator: Box<Operator>,
    },
    /// `input | operator`
    Pipe {
        input: Box<Expr>,
        operator: Box<Operator>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// Bare `null` (valid inside `dynamic(...)` and a few parameter positions).
    Null,
    Bool(bool),
    Long(i64),
    Real(f64),
    String(String),
    /// A timespan literal such as `1d`, `1.5h`, `100ms`, in 100 ns ticks.
    Timespan(i64),
    /// `type(raw text)`: `datetime(2021-01-01)`, `long(null)`, `real(+inf)`,
    /// `guid(...)`, `time(1d)`, `int(-2)`. The text between the brackets is
    /// kept as written (trimmed); the binder converts it.
    Typed {
        type_name: String,
        text: String,
    },
    /// `dynamic(...)`: the literal inside (an array, a bag, a scalar, `null`).
    Dynamic(Box<Literal>),
    /// `[v, ...]` inside `dynamic(...)`.
    Array(Vec<Literal>),
    /// `{"k": v, ...}` inside `dynamic(...)`; keys in written order.
    Bag(Vec<(String, Literal)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Plus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    /// `==`
    Eq,
    /// `!=` and `<>`
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// The string operators: `=~`, `has`, `!contains_cs`, `matches regex`...
    Str(StringOp),
}

/// A string operator: its kind, whether it is negated (`!has`), and whether it
/// is case-sensitive (`has_cs`, `==`-like `matches regex`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StringOp {
    pub kind: StringOpKind,
    pub negated: bool,
    pub case_sensitive: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StringOpKind {
    /// `=~` / `!~` (always case-insensitive)
    Equals,
    Has,
    HasPrefix,
    HasSuffix,
    Contains,
    StartsWith,
    EndsWith,
    /// Legacy `like`, `likecs`, `notlike`, `notlikecs`.
    Like,
    /// `matches regex` (always case-sensitive; use `(?i)` in the pattern).
    MatchesRegex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListOp {
    /// `in`, `!in`, `in~`, `!in~`
    In {
        negated: bool,
        case_sensitive: bool,
    },
    HasAny,
    HasAll,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NullsOrder {
    First,
    Last,
}

/// `expr [asc|desc] [nulls first|last]`
#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub order: Option<SortOrder>,
    pub nulls: Option<NullsOrder>,
    pub span: Span,
}

/// `p1 = old1`: new name first, as written.
///
/// The official grammar accepts any expression on the right
/// (`project-rename a = strcat(b, c)`, a semantic error); the parser then
/// keeps the expression's source text as `old`, so the binder reports it as
/// an unknown column.
#[derive(Clone, Debug, PartialEq)]
pub struct Rename {
    pub new: Ident,
    pub old: Ident,
    pub span: Span,
}

/// `pattern [asc|desc|granny-asc|granny-desc]` in `project-reorder`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReorderItem {
    pub pattern: NamePattern,
    /// The ordering word for wildcard matches, as written.
    pub order: Option<Ident>,
    pub span: Span,
}

/// One item of `mv-expand` / `mv-apply`: `[name =] expr [to typeof(type)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MvExpandItem {
    pub column: NamedExpr,
    pub to_type: Option<TypeName>,
    pub span: Span,
}

/// A piece of a `parse` / `parse-where` pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum ParsePart {
    /// `*`: skip any text.
    Star { span: Span },
    /// A string literal that must appear (a regex fragment for `kind=regex`).
    Literal { text: String, span: Span },
    /// `name` or `name: type`: a column to extract.
    Column {
        name: Ident,
        ty: Option<TypeName>,
        span: Span,
    },
}

/// One level of `top-nested`: `top-nested [N] of expr [with others = e] by agg [asc|desc]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopNestedLevel {
    pub count: Option<Expr>,
    pub of: NamedExpr,
    pub others: Option<Expr>,
    pub by: NamedExpr,
    pub order: Option<SortOrder>,
    pub span: Span,
}

/// `make-series` aggregate: `[name =] agg(...) [default = value]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MakeSeriesAgg {
    pub column: NamedExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MakeSeriesRange {
    /// `from a to b step s` (`from`/`to` optional)
    FromTo {
        from: Option<Expr>,
        to: Option<Expr>,
        step: Expr,
    },
    /// `in range(a, b, s)`
    InRange { start: Expr, stop: Expr, step: Expr },
}

/// `with (name = value, ...)` property lists (`externaldata`, `render`, `parse-kv`).
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// A `fork` branch: `[name =] (op | op ...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForkBranch {
    pub name: Option<Ident>,
    /// The operators of the branch, applied in order to the fork's input.
    pub operators: Vec<Operator>,
    pub span: Span,
}

/// A column of `scan`'s `declare (...)`: `name: type [= default]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanDeclare {
    pub column: ColumnDecl,
    pub default: Option<Expr>,
    pub span: Span,
}

/// A step of `scan ... with (...)`:
/// `step name [output = all|last|none] : condition [=> c = e, ...] ;`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanStep {
    pub name: Ident,
    /// `all`, `last` or `none` as written (absent: `all`).
    pub output: Option<Ident>,
    pub condition: Expr,
    /// `column = value` assignments after `=>`.
    pub assignments: Vec<ScanAssignment>,
    pub span: Span,
}

/// `column = value` after a scan step's `=>`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanAssignment {
    pub column: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operator {
    pub kind: OperatorKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OperatorKind {
    /// `where` / `filter`
    Where {
        params: Vec<OpParam>,
        predicate: Expr,
    },
    Extend {
        columns: Vec<NamedExpr>,
    },
    Project {
        columns: Vec<NamedExpr>,
    },
    ProjectAway {
        columns: Vec<NamePattern>,
    },
    ProjectKeep {
        columns: Vec<NamePattern>,
    },
    /// `project-by-names spec, ...`: each spec a string (a column name or
    /// a `*` pattern), a dynamic array of names, or an expression giving
    /// one (`column_names_of(T)`, a function parameter).
    ProjectByNames {
        columns: Vec<Expr>,
    },
    ProjectRename {
        renames: Vec<Rename>,
    },
    ProjectReorder {
        columns: Vec<ReorderItem>,
    },
    /// `take` / `limit`
    Take {
        params: Vec<OpParam>,
        count: Expr,
    },
    /// `count [as Name]` (the operator; `as` names its column, else `Count`)
    Count {
        name: Option<Ident>,
    },
    /// `sort by` / `order by`
    Sort {
        params: Vec<OpParam>,
        keys: Vec<SortKey>,
    },
    /// `top N by key`
    Top {
        params: Vec<OpParam>,
        count: Expr,
        key: SortKey,
    },
    TopNested {
        levels: Vec<TopNestedLevel>,
    },
    /// `top-hitters N of expr [by expr]`
    TopHitters {
        count: Expr,
        of: Expr,
        by: Option<Expr>,
    },
    /// `distinct a, b` or `distinct *` (a single [`ExprKind::Star`] column).
    Distinct {
        params: Vec<OpParam>,
        columns: Vec<NamedExpr>,
    },
    Summarize {
        params: Vec<OpParam>,
        aggregates: Vec<NamedExpr>,
        by: Vec<NamedExpr>,
    },
    /// `join [params] right [on keys | where predicate]`
    Join {
        params: Vec<OpParam>,
        right: Box<Expr>,
        /// The `on` list: names or `$left.a == $right.b [and ...]` expressions.
        on: Vec<Expr>,
        /// `where` instead of `on` (a non-equi join condition).
        predicate: Option<Box<Expr>>,
    },
    Lookup {
        params: Vec<OpParam>,
        right: Box<Expr>,
        on: Vec<Expr>,
    },
    /// `union [params] T1, T2, (subquery), Pattern*` as operator or source.
    /// A wildcard table pattern (`Dev*`, `*_CL`) is an [`ExprKind::Name`]
    /// whose name contains `*` (also in `search`/`find` `in (...)` lists).
    Union {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
    },
    /// `mv-expand` / `mvexpand`
    MvExpand {
        params: Vec<OpParam>,
        items: Vec<MvExpandItem>,
        limit: Option<Expr>,
    },
    /// `mv-apply [params] items [limit N] on (subquery)`. The subquery's
    /// operators apply to the expanded rows: its first operator is an
    /// [`ExprKind::Source`] with no input (`on (summarize x | take 1)` is
    /// `Pipe { input: Source { summarize }, operator: take }`); a subquery
    /// that starts with a table (`on (T | ...)`) is an ordinary pipeline.
    /// The same holds for `facet ... with (...)` and `partition ... (...)`.
    MvApply {
        params: Vec<OpParam>,
        items: Vec<MvExpandItem>,
        limit: Option<Expr>,
        subquery: Box<Expr>,
    },
    /// `parse [kind=... flags=...] expr with pattern`
    Parse {
        params: Vec<OpParam>,
        source: Expr,
        pattern: Vec<ParsePart>,
    },
    ParseWhere {
        params: Vec<OpParam>,
        source: Expr,
        pattern: Vec<ParsePart>,
    },
    /// `parse-kv expr as (col: type, ...) [with (prop = value, ...)]`
    ParseKv {
        source: Expr,
        columns: Vec<ColumnDecl>,
        properties: Vec<Property>,
    },
    MakeSeries {
        params: Vec<OpParam>,
        aggregates: Vec<MakeSeriesAgg>,
        axis: Expr,
        range: MakeSeriesRange,
        by: Vec<NamedExpr>,
    },
    /// `evaluate [params] plugin(args)`, as operator or source.
    Evaluate {
        params: Vec<OpParam>,
        plugin: Expr,
    },
    /// `as [hint.materialized=true] Name`
    As {
        params: Vec<OpParam>,
        name: Ident,
    },
    /// `invoke f(args)`
    Invoke {
        function: Expr,
    },
    /// `render chart [with (prop = value, ...)]`
    Render {
        chart: Ident,
        properties: Vec<Property>,
    },
    /// `search [params] [in (T1, T2)] predicate`, as operator or source.
    Search {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
        predicate: Expr,
    },
    /// `find [params] [in (T1, ...)] where predicate [project ...]`, source only.
    Find {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
        predicate: Expr,
        project: Option<Vec<NamedExpr>>,
    },
    GetSchema,
    Serialize {
        columns: Vec<NamedExpr>,
    },
    Sample {
        count: Expr,
    },
    SampleDistinct {
        count: Expr,
        of: Expr,
    },
    Fork {
        branches: Vec<ForkBranch>,
    },
    /// `consume [decodeblocks = bool]`
    Consume {
        params: Vec<OpParam>,
    },
    /// `scan [with_match_id = Name] [declare (c: type [= v], ...)] with (steps)`
    Scan {
        match_id: Option<Ident>,
        declare: Vec<ScanDeclare>,
        steps: Vec<ScanStep>,
    },
    /// `reduce [kind = source] by expr [with threshold = t, characters = c]`
    Reduce {
        params: Vec<OpParam>,
        by: Expr,
        /// `threshold = ...`, `characters = ...` after `with`.
        with: Vec<Property>,
    },
    /// `facet by c1, c2 [with (subquery)]`
    Facet {
        columns: Vec<Ident>,
        with: Option<Box<Expr>>,
    },
    /// `partition [params] by column (subquery)`
    Partition {
        params: Vec<OpParam>,
        column: Ident,
        subquery: Box<Expr>,
    },
    /// A graph operator: `make-graph`, `graph-match`, `graph-to-table`,
    /// `graph-shortest-paths`, `graph-mark-components`.
    Graph(Box<GraphOperator>),
    /// `print a = 1, "x"`, source only.
    Print {
        columns: Vec<NamedExpr>,
    },
    /// `range x from a to b step s`, source only.
    Range {
        column: Ident,
        from: Expr,
        to: Expr,
        step: Expr,
    },
    /// `datatable (col: type, ...) [v, ...]`, source only; values row-major.
    DataTable {
        columns: Vec<ColumnDecl>,
        values: Vec<Expr>,
    },
    /// `externaldata (col: type, ...) [url, ...] [with (...)]`, source only.
    ExternalData {
        columns: Vec<ColumnDecl>,
        uris: Vec<Expr>,
        properties: Vec<Property>,
    },
}
