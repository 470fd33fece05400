//! Syntax tree to canonical KQL text.
//!
//! The output parses back to the same tree (spans aside): no brackets are
//! added that the tree does not hold as [`ExprKind::Paren`], names that
//! could be mistaken for keywords are written `['...']`, and literals are
//! written in a form that lexes back to the same value. Top-level pipelines
//! put each `| operator` on its own line; nested ones stay on one line.
//!
//! Brackets are added only where a hand-built tree would otherwise print as
//! something else (a `Binary` child that binds more loosely than its
//! parent); trees from the parser never need them. Chains of one operator
//! (`a or b or ...`, `T | op | op ...`, `a.b.c...`) are printed in a loop,
//! so their length costs no stack.

use crate::syntax::ast::*;
use crate::syntax::lex::{self, NameUse};
use crate::syntax::prec;
use std::fmt;

/// Writes the query as canonical KQL: parsing the result gives the same tree.
pub fn print(query: &Query) -> String {
    let mut p = Printer::default();
    p.query(query);
    p.out
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print(self))
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = Printer::default();
        p.statement(self);
        f.write_str(&p.out)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = Printer::default();
        p.pipe(self, false);
        f.write_str(&p.out)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = Printer::default();
        p.operator(self);
        f.write_str(&p.out)
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = Printer::default();
        p.literal(self, false);
        f.write_str(&p.out)
    }
}

/// Words that would start a statement or a literal if written as a name.
const BRACKETED_WORDS: &[&str] = &["let", "set", "declare", "alias", "restrict", "null"];

/// Precedence of an expression as an operand: 0 for pipelines (which need
/// brackets anywhere but at a pipeline's head), the binary levels of
/// [`prec`], 8 for unary signs and 9 for postfix and primary expressions.
fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Pipe { .. } | ExprKind::NamedArg { .. } => 0,
        ExprKind::Source { operator } => match operator.kind {
            OperatorKind::DataTable { .. } => 9,
            _ => 0,
        },
        ExprKind::Binary { op, .. } => prec::binary_level(*op),
        ExprKind::List { .. } | ExprKind::Between { .. } => prec::EQUALITY,
        ExprKind::Unary { .. } => 8,
        _ => 9,
    }
}

#[derive(Default)]
struct Printer {
    out: String,
}

impl Printer {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn list<T>(&mut self, items: &[T], sep: &str, mut f: impl FnMut(&mut Self, &T)) {
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                self.w(sep);
            }
            f(self, item);
        }
    }

    // -- statements ---------------------------------------------------------

    fn query(&mut self, q: &Query) {
        self.list(&q.statements, ";\n", |p, s| p.statement(s));
    }

    fn statement(&mut self, s: &Statement) {
        match &s.kind {
            StatementKind::Let { name, value } => {
                self.w("let ");
                self.ident(name, NameUse::Declaration);
                self.w(" = ");
                match value {
                    LetValue::Expr { expr } => self.pipe(expr, true),
                    LetValue::Function { view, params, body } => {
                        if *view {
                            self.w("view ");
                        }
                        self.w("(");
                        self.list(params, ", ", |p, x| p.param(x));
                        self.w(") {\n");
                        self.list(&body.statements, ";\n", |p, s| p.statement(s));
                        self.w("\n}");
                    }
                }
            }
            StatementKind::Set { name, value } => {
                self.w("set ");
                self.w(&name.name);
                if let Some(v) = value {
                    self.w(" = ");
                    self.operand(v, 1);
                }
            }
            StatementKind::DeclareQueryParameters { params } => {
                self.w("declare query_parameters(");
                self.list(params, ", ", |p, x| p.param(x));
                self.w(")");
            }
            StatementKind::Expr { expr } => self.pipe(expr, true),
        }
    }

    fn param(&mut self, x: &Param) {
        self.ident(&x.name, NameUse::Declaration);
        self.w(":");
        match &x.ty {
            ParamType::Scalar { ty } => self.w(&ty.name),
            ParamType::Tabular { columns: None } => self.w("(*)"),
            ParamType::Tabular {
                columns: Some(columns),
            } => {
                self.w("(");
                self.columns(columns);
                self.w(")");
            }
        }
        if let Some(d) = &x.default {
            self.w(" = ");
            self.literal_operand(d);
        }
    }

    fn columns(&mut self, columns: &[ColumnDecl]) {
        self.list(columns, ", ", |p, c| {
            p.ident(&c.name, NameUse::Declaration);
            p.w(":");
            p.w(&c.ty.name);
        });
    }

    // -- names and literals -------------------------------------------------

    fn ident(&mut self, id: &Ident, usage: NameUse) {
        // After `.` a keyword is a member name as it is (`x.let`); written
        // `.["let"]` it would read back as an index, another tree.
        let plain = if usage == NameUse::Member {
            lex::is_plain_name(&id.name, NameUse::Member)
        } else {
            lex::ident_len(&id.name) == id.name.len()
                && !id.name.is_empty()
                && !BRACKETED_WORDS.contains(&id.name.as_str())
                && !lex::is_reserved(&id.name)
        };
        if plain {
            self.w(&id.name);
        } else {
            self.w("[");
            self.string(&id.name);
            self.w("]");
        }
    }

    fn call_name(&mut self, id: &Ident) {
        let n = id.name.as_str();
        if matches!(n, "toscalar" | "materialize" | "totable") {
            self.w(n);
        } else if lex::is_typed_literal_type(n) || matches!(n, "typeof" | "dynamic" | "datatable") {
            self.w("[");
            self.string(n);
            self.w("]");
        } else {
            self.ident(id, NameUse::Reference);
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.w("\\\""),
                '\\' => self.w("\\\\"),
                '\n' => self.w("\\n"),
                '\r' => self.w("\\r"),
                '\t' => self.w("\\t"),
                c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                    self.w(&format!("\\u{:04X}", u32::from(c)));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    /// A literal; `signed` when a leading `-` belongs to it (literal-only
    /// positions), otherwise negative longs are written in hex so they do
    /// not read back as a unary minus.
    fn literal(&mut self, v: &Literal, signed: bool) {
        match v {
            Literal::Null => self.w("null"),
            Literal::Bool(b) => self.w(if *b { "true" } else { "false" }),
            Literal::Long(n) => {
                if *n < 0 && (!signed || *n == i64::MIN) {
                    self.w(&format!("0x{:X}", *n as u64));
                } else {
                    self.w(&n.to_string());
                }
            }
            Literal::Real(r) => self.w(&real_text(*r)),
            Literal::String(s) => self.string(s),
            Literal::Timespan(t) => self.w(&timespan_text(*t)),
            Literal::Typed { type_name, text } => {
                self.w(type_name);
                self.w("(");
                self.w(text);
                self.w(")");
            }
            Literal::Dynamic(inner) => {
                self.w("dynamic(");
                self.literal(inner, true);
                self.w(")");
            }
            Literal::Array(items) => {
                self.w("[");
                self.list(items, ", ", |p, x| p.literal(x, true));
                self.w("]");
            }
            Literal::Bag(pairs) => {
                self.w("{");
                self.list(pairs, ", ", |p, (k, v)| {
                    p.string(k);
                    p.w(": ");
                    p.literal(v, true);
                });
                self.w("}");
            }
        }
    }

    /// An expression in a literal-only position (datatable values, defaults).
    fn literal_operand(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Literal { value } => self.literal(value, true),
            _ => self.operand(e, 1),
        }
    }

    // -- expressions --------------------------------------------------------

    /// A pipeline: its head, then each `| operator` (on new lines when
    /// `multiline`).
    fn pipe(&mut self, e: &Expr, multiline: bool) {
        let mut ops = Vec::new();
        let mut head = e;
        while let ExprKind::Pipe { input, operator } = &head.kind {
            ops.push(operator.as_ref());
            head = input;
        }
        match &head.kind {
            ExprKind::Source { operator } => self.operator(operator),
            _ => self.expr(head),
        }
        for op in ops.iter().rev() {
            self.w(if multiline { "\n| " } else { " | " });
            self.operator(op);
        }
    }

    /// `e` where an operand of at least `min` precedence is expected.
    fn operand(&mut self, e: &Expr, min: u8) {
        if level(e) < min {
            self.w("(");
            self.pipe(e, false);
            self.w(")");
        } else {
            self.expr(e);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Literal { value } => self.literal(value, false),
            ExprKind::Name { name } => self.ident(name, NameUse::Reference),
            ExprKind::Star => self.w("*"),
            ExprKind::Paren { expr } => {
                self.w("(");
                self.pipe(expr, false);
                self.w(")");
            }
            ExprKind::Unary { op, operand } => {
                self.w(match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                });
                if matches!(operand.kind, ExprKind::Unary { .. }) {
                    self.w(" ");
                }
                self.operand(operand, 8);
            }
            ExprKind::Binary { .. } => self.binary(e),
            ExprKind::List { op, left, items } => {
                self.operand(left, prec::EQUALITY + 1);
                self.w(" ");
                self.w(prec::list_op_text(*op));
                self.w(" (");
                self.list(items, ", ", |p, x| p.pipe(x, false));
                self.w(")");
            }
            ExprKind::Between {
                negated,
                expr,
                low,
                high,
            } => {
                self.operand(expr, prec::EQUALITY + 1);
                self.w(if *negated {
                    " !between ("
                } else {
                    " between ("
                });
                self.operand(low, 1);
                self.w(" .. ");
                self.operand(high, 1);
                self.w(")");
            }
            ExprKind::Call { name, args } => {
                // `database(d, cluster = c)` is how `cluster(c).database(d)` parses.
                if let Some((cluster, rest)) = cluster_of_database(name, args) {
                    self.pipe(cluster, false);
                    self.w(".");
                    self.call_name(name);
                    self.w("(");
                    self.list(rest, ", ", |p, a| p.pipe(a, false));
                    self.w(")");
                    return;
                }
                self.call_name(name);
                self.w("(");
                self.list(args, ", ", |p, a| match &a.kind {
                    ExprKind::NamedArg { .. } => p.expr(a),
                    _ => p.pipe(a, false),
                });
                self.w(")");
            }
            ExprKind::NamedArg { name, value } => {
                self.ident(name, NameUse::Declaration);
                self.w(" = ");
                self.operand(value, 1);
            }
            ExprKind::Member { .. } | ExprKind::Index { .. } => self.postfix(e),
            ExprKind::TypeOf { ty } => {
                self.w("typeof(");
                self.w(&ty.name);
                self.w(")");
            }
            ExprKind::Source { operator } => {
                if level(e) == 9 {
                    self.operator(operator);
                } else {
                    self.w("(");
                    self.operator(operator);
                    self.w(")");
                }
            }
            ExprKind::Pipe { .. } => {
                self.w("(");
                self.pipe(e, false);
                self.w(")");
            }
        }
    }

    /// A chain of binary operators of one precedence level, left to right.
    fn binary(&mut self, e: &Expr) {
        let ExprKind::Binary { op, .. } = &e.kind else {
            return self.expr(e);
        };
        let lvl = prec::binary_level(*op);
        let assoc = !prec::non_associative(lvl);
        // Walk down the left spine of same-level operators (iteratively).
        let mut rights = Vec::new();
        let mut cur = e;
        while let ExprKind::Binary { op, left, right } = &cur.kind {
            if prec::binary_level(*op) != lvl || (!assoc && !rights.is_empty()) {
                break;
            }
            rights.push((*op, right.as_ref()));
            cur = left;
        }
        // The leftmost operand: same level is fine only for left-assoc
        // chains (and was consumed by the loop above).
        self.operand(cur, if assoc { lvl } else { lvl + 1 });
        for (op, right) in rights.iter().rev() {
            self.w(" ");
            self.w(prec::binary_text(*op));
            self.w(" ");
            self.operand(right, lvl + 1);
        }
    }

    /// `a.b[c].d...`, printed from the innermost target outwards.
    fn postfix(&mut self, e: &Expr) {
        let mut steps = Vec::new();
        let mut cur = e;
        while let ExprKind::Member { target, .. } | ExprKind::Index { target, .. } = &cur.kind {
            steps.push(cur);
            cur = target;
        }
        // `5.x` would not lex (`5.` starts a real), so a long target is
        // written in hex; reals and timespans can be followed by `.` as is.
        if let ExprKind::Literal {
            value: Literal::Long(n),
        } = cur.kind
        {
            self.w(&format!("0x{:X}", n as u64));
        } else {
            self.operand(cur, 9);
        }
        for step in steps.iter().rev() {
            match &step.kind {
                ExprKind::Member { name, .. } => {
                    self.w(".");
                    self.ident(name, NameUse::Member);
                }
                ExprKind::Index { index, .. } => {
                    self.w("[");
                    self.operand(index, 1);
                    self.w("]");
                }
                _ => {}
            }
        }
    }

    // -- operators ----------------------------------------------------------

    fn params(&mut self, params: &[OpParam]) {
        for p in params {
            self.w(&p.name.name);
            self.w("=");
            match &p.value.kind {
                ExprKind::Name { name } => self.w(&name.name),
                ExprKind::Literal { value } => self.literal(value, true),
                _ => self.operand(&p.value, 9),
            }
            self.w(" ");
        }
    }

    fn named(&mut self, n: &NamedExpr) {
        match n.names.len() {
            0 => {}
            1 => {
                self.ident(&n.names[0], NameUse::Declaration);
                self.w(" = ");
            }
            _ => {
                self.w("(");
                self.list(&n.names, ", ", |p, x| p.ident(x, NameUse::Declaration));
                self.w(") = ");
            }
        }
        self.operand(&n.expr, 1);
    }

    fn named_list(&mut self, items: &[NamedExpr]) {
        self.list(items, ", ", |p, x| p.named(x));
    }

    fn pattern(&mut self, p: &NamePattern) {
        // Written bare only when it reads back as one wildcard run; a
        // bracketed name holding `*` and spaces (`['a * b']`) stays bracketed.
        let bare = p.pattern.contains('*')
            && p.pattern
                .bytes()
                .next()
                .is_some_and(|c| c == b'*' || lex::is_ident_start(c))
            && p.pattern
                .bytes()
                .all(|c| lex::is_ident_char(c) || c == b'*' || c == b'$');
        if bare {
            self.w(&p.pattern);
        } else {
            self.ident(
                &Ident {
                    name: p.pattern.clone(),
                    span: p.span,
                },
                NameUse::Declaration,
            );
        }
    }

    fn sort_key(&mut self, k: &SortKey) {
        self.operand(&k.expr, 1);
        match k.order {
            Some(SortOrder::Asc) => self.w(" asc"),
            Some(SortOrder::Desc) => self.w(" desc"),
            None => {}
        }
        match k.nulls {
            Some(NullsOrder::First) => self.w(" nulls first"),
            Some(NullsOrder::Last) => self.w(" nulls last"),
            None => {}
        }
    }

    fn properties(&mut self, props: &[Property]) {
        if props.is_empty() {
            return;
        }
        self.w(" with (");
        for (k, x) in props.iter().enumerate() {
            // A run of name values under one property name is a list:
            // `ycolumns = a, b`.
            let continues = k > 0
                && props[k - 1].name.name == x.name.name
                && matches!(props[k - 1].value.kind, ExprKind::Name { .. })
                && matches!(x.value.kind, ExprKind::Name { .. });
            if k > 0 {
                self.w(", ");
            }
            if !continues {
                self.property_name(&x.name);
                self.w(" = ");
            }
            self.operand(&x.value, 1);
        }
        self.w(")");
    }

    fn property_name(&mut self, name: &Ident) {
        if lex::ident_len(&name.name) == name.name.len() && !name.name.is_empty() {
            self.w(&name.name);
        } else {
            self.ident(name, NameUse::Declaration);
        }
    }

    /// A table in `union`/`search`/`find`: wildcard names are written as is.
    fn table(&mut self, t: &Expr) {
        match &t.kind {
            ExprKind::Name { name } if name.name.contains('*') => self.w(&name.name),
            _ => self.operand(t, 1),
        }
    }

    fn mv_items(&mut self, items: &[MvExpandItem]) {
        self.list(items, ", ", |p, x| {
            p.named(&x.column);
            if let Some(t) = &x.to_type {
                p.w(" to typeof(");
                p.w(&t.name);
                p.w(")");
            }
        });
    }

    fn parse_pattern(&mut self, parts: &[ParsePart]) {
        self.list(parts, " ", |p, part| match part {
            ParsePart::Star { .. } => p.w("*"),
            ParsePart::Literal { text, .. } => p.string(text),
            ParsePart::Column { name, ty, .. } => {
                p.ident(name, NameUse::Declaration);
                if let Some(t) = ty {
                    p.w(":");
                    p.w(&t.name);
                }
            }
        });
    }

    /// A bracketed subquery of operators applied to an implicit input.
    fn subquery(&mut self, e: &Expr) {
        self.w("(");
        self.pipe(e, false);
        self.w(")");
    }

    fn operator(&mut self, o: &Operator) {
        use OperatorKind as K;
        match &o.kind {
            K::Where { params, predicate } => {
                self.w("where ");
                self.params(params);
                self.operand(predicate, 1);
            }
            K::Extend { columns } => {
                self.w("extend ");
                self.named_list(columns);
            }
            K::Project { columns } => {
                self.w("project ");
                self.named_list(columns);
            }
            K::ProjectAway { columns } => {
                self.w("project-away ");
                self.list(columns, ", ", |p, x| p.pattern(x));
            }
            K::ProjectKeep { columns } => {
                self.w("project-keep ");
                self.list(columns, ", ", |p, x| p.pattern(x));
            }
            K::ProjectByNames { columns } => {
                self.w("project-by-names ");
                self.list(columns, ", ", |p, x| p.operand(x, 1));
            }
            K::ProjectRename { renames } => {
                self.w("project-rename ");
                self.list(renames, ", ", |p, r| {
                    p.ident(&r.new, NameUse::Declaration);
                    p.w(" = ");
                    p.ident(&r.old, NameUse::Declaration);
                });
            }
            K::ProjectReorder { columns } => {
                self.w("project-reorder ");
                self.list(columns, ", ", |p, x| {
                    p.pattern(&x.pattern);
                    if let Some(o) = &x.order {
                        p.w(" ");
                        p.w(&o.name);
                    }
                });
            }
            K::Take { params, count } => {
                self.w("take ");
                self.params(params);
                self.operand(count, 1);
            }
            K::Count { name: None } => self.w("count"),
            K::Count { name: Some(n) } => {
                self.w("count as ");
                self.w(&n.name);
            }
            K::Sort { params, keys } => {
                self.w("sort ");
                self.params(params);
                self.w("by ");
                self.list(keys, ", ", |p, k| p.sort_key(k));
            }
            K::Top { params, count, key } => {
                self.w("top ");
                self.params(params);
                self.operand(count, 1);
                self.w(" by ");
                self.sort_key(key);
            }
            K::TopNested { levels } => {
                self.list(levels, ", ", |p, l| {
                    p.w("top-nested ");
                    if let Some(c) = &l.count {
                        p.operand(c, 1);
                        p.w(" ");
                    }
                    p.w("of ");
                    p.named(&l.of);
                    if let Some(o) = &l.others {
                        p.w(" with others = ");
                        p.operand(o, 1);
                    }
                    p.w(" by ");
                    p.named(&l.by);
                    match l.order {
                        Some(SortOrder::Asc) => p.w(" asc"),
                        Some(SortOrder::Desc) => p.w(" desc"),
                        None => {}
                    }
                });
            }
            K::TopHitters { count, of, by } => {
                self.w("top-hitters ");
                self.operand(count, 1);
                self.w(" of ");
                self.operand(of, 1);
                if let Some(b) = by {
                    self.w(" by ");
                    self.operand(b, 1);
                }
            }
            K::Distinct { params, columns } => {
                self.w("distinct ");
                self.params(params);
                self.named_list(columns);
            }
            K::Summarize {
                params,
                aggregates,
                by,
            } => {
                self.w("summarize ");
                self.params(params);
                self.named_list(aggregates);
                if !by.is_empty() {
                    self.w(if aggregates.is_empty() { "by " } else { " by " });
                    self.named_list(by);
                }
            }
            K::Join {
                params,
                right,
                on,
                predicate,
            } => {
                self.w("join ");
                self.params(params);
                self.operand(right, 1);
                if let Some(p) = predicate {
                    self.w(" where ");
                    self.operand(p, 1);
                } else {
                    self.w(" on ");
                    self.list(on, ", ", |p, x| p.operand(x, 1));
                }
            }
            K::Lookup { params, right, on } => {
                self.w("lookup ");
                self.params(params);
                self.operand(right, 1);
                self.w(" on ");
                self.list(on, ", ", |p, x| p.operand(x, 1));
            }
            K::Union { params, tables } => {
                self.w("union ");
                self.params(params);
                self.list(tables, ", ", |p, t| p.table(t));
            }
            K::MvExpand {
                params,
                items,
                limit,
            } => {
                self.w("mv-expand ");
                self.params(params);
                self.mv_items(items);
                if let Some(l) = limit {
                    self.w(" limit ");
                    self.operand(l, 1);
                }
            }
            K::MvApply {
                params,
                items,
                limit,
                subquery,
            } => {
                self.w("mv-apply ");
                self.params(params);
                self.mv_items(items);
                if let Some(l) = limit {
                    self.w(" limit ");
                    self.operand(l, 1);
                }
                self.w(" on ");
                self.subquery(subquery);
            }
            K::Parse {
                params,
                source,
                pattern,
            } => {
                self.w("parse ");
                self.params(params);
                self.operand(source, 1);
                self.w(" with ");
                self.parse_pattern(pattern);
            }
            K::ParseWhere {
                params,
                source,
                pattern,
            } => {
                self.w("parse-where ");
                self.params(params);
                self.operand(source, 1);
                self.w(" with ");
                self.parse_pattern(pattern);
            }
            K::ParseKv {
                source,
                columns,
                properties,
            } => {
                self.w("parse-kv ");
                self.operand(source, 1);
                self.w(" as (");
                self.columns(columns);
                self.w(")");
                self.properties(properties);
            }
            K::MakeSeries {
                params,
                aggregates,
                axis,
                range,
                by,
            } => {
                self.w("make-series ");
                self.params(params);
                self.list(aggregates, ", ", |p, a| {
                    p.named(&a.column);
                    if let Some(d) = &a.default {
                        p.w(" default = ");
                        p.operand(d, 1);
                    }
                });
                self.w(" on ");
                self.operand(axis, 1);
                match range {
                    MakeSeriesRange::FromTo { from, to, step } => {
                        if let Some(f) = from {
                            self.w(" from ");
                            self.operand(f, 1);
                        }
                        if let Some(t) = to {
                            self.w(" to ");
                            self.operand(t, 1);
                        }
                        self.w(" step ");
                        self.operand(step, 1);
                    }
                    MakeSeriesRange::InRange { start, stop, step } => {
                        self.w(" in range(");
                        self.operand(start, 1);
                        self.w(", ");
                        self.operand(stop, 1);
                        self.w(", ");
                        self.operand(step, 1);
                        self.w(")");
                    }
                }
                if !by.is_empty() {
                    self.w(" by ");
                    self.named_list(by);
                }
            }
            K::Evaluate { params, plugin } => {
                self.w("evaluate ");
                self.params(params);
                self.operand(plugin, 1);
            }
            K::As { params, name } => {
                self.w("as ");
                self.params(params);
                self.ident(name, NameUse::Declaration);
            }
            K::Invoke { function } => {
                self.w("invoke ");
                self.operand(function, 1);
            }
            K::Render { chart, properties } => {
                self.w("render ");
                self.w(&chart.name);
                self.properties(properties);
            }
            K::Search {
                params,
                tables,
                predicate,
            } => {
                self.w("search ");
                self.params(params);
                if !tables.is_empty() {
                    self.w("in (");
                    self.list(tables, ", ", |p, t| p.table(t));
                    self.w(") ");
                }
                self.operand(predicate, 1);
            }
            K::Find {
                params,
                tables,
                predicate,
                project,
            } => {
                self.w("find ");
                self.params(params);
                if !tables.is_empty() {
                    self.w("in (");
                    self.list(tables, ", ", |p, t| p.table(t));
                    self.w(") ");
                }
                self.w("where ");
                self.operand(predicate, 1);
                if let Some(cols) = project {
                    self.w(" project ");
                    self.named_list(cols);
                }
            }
            K::GetSchema => self.w("getschema"),
            K::Serialize { columns } => {
                self.w("serialize");
                if !columns.is_empty() {
                    self.w(" ");
                    self.named_list(columns);
                }
            }
            K::Sample { count } => {
                self.w("sample ");
                self.operand(count, 1);
            }
            K::SampleDistinct { count, of } => {
                self.w("sample-distinct ");
                self.operand(count, 1);
                self.w(" of ");
                self.operand(of, 1);
            }
            K::Fork { branches } => {
                self.w("fork ");
                self.list(branches, " ", |p, b| {
                    if let Some(n) = &b.name {
                        p.ident(n, NameUse::Declaration);
                        p.w(" = ");
                    }
                    p.w("(");
                    p.list(&b.operators, " | ", |p, o| p.operator(o));
                    p.w(")");
                });
            }
            K::Graph(g) => self.graph_operator(g),
            K::Consume { params } => {
                self.w("consume");
                if !params.is_empty() {
                    self.w(" ");
                    self.params(params);
                }
            }
            K::Scan {
                match_id,
                declare,
                steps,
            } => {
                self.w("scan ");
                if let Some(m) = match_id {
                    self.w("with_match_id = ");
                    self.ident(m, NameUse::Declaration);
                    self.w(" ");
                }
                if !declare.is_empty() {
                    self.w("declare (");
                    self.list(declare, ", ", |p, d| {
                        p.ident(&d.column.name, NameUse::Declaration);
                        p.w(":");
                        p.w(&d.column.ty.name);
                        if let Some(v) = &d.default {
                            p.w(" = ");
                            p.operand(v, 1);
                        }
                    });
                    self.w(") ");
                }
                self.w("with (");
                self.list(steps, " ", |p, s| {
                    p.w("step ");
                    p.ident(&s.name, NameUse::Declaration);
                    if let Some(o) = &s.output {
                        p.w(" output = ");
                        p.w(&o.name);
                    }
                    p.w(": ");
                    p.operand(&s.condition, 1);
                    if !s.assignments.is_empty() {
                        p.w(" => ");
                        p.list(&s.assignments, ", ", |p, a| {
                            p.ident(&a.column, NameUse::Declaration);
                            p.w(" = ");
                            p.operand(&a.value, 1);
                        });
                    }
                    p.w(";");
                });
                self.w(")");
            }
            K::Reduce { params, by, with } => {
                self.w("reduce ");
                self.params(params);
                self.w("by ");
                self.operand(by, 1);
                if !with.is_empty() {
                    self.w(" with ");
                    self.list(with, ", ", |p, x| {
                        p.ident(&x.name, NameUse::Declaration);
                        p.w(" = ");
                        p.operand(&x.value, 1);
                    });
                }
            }
            K::Facet { columns, with } => {
                self.w("facet by ");
                self.list(columns, ", ", |p, c| p.ident(c, NameUse::Reference));
                if let Some(w) = with {
                    self.w(" with ");
                    self.subquery(w);
                }
            }
            K::Partition {
                params,
                column,
                subquery,
            } => {
                self.w("partition ");
                self.params(params);
                self.w("by ");
                self.ident(column, NameUse::Reference);
                self.w(" ");
                self.subquery(subquery);
            }
            K::Print { columns } => {
                self.w("print ");
                self.named_list(columns);
            }
            K::Range {
                column,
                from,
                to,
                step,
            } => {
                self.w("range ");
                self.ident(column, NameUse::Declaration);
                self.w(" from ");
                self.operand(from, 1);
                self.w(" to ");
                self.operand(to, 1);
                self.w(" step ");
                self.operand(step, 1);
            }
            K::DataTable { columns, values } => {
                self.w("datatable(");
                self.columns(columns);
                self.w(") [");
                self.list(values, ", ", |p, v| p.literal_operand(v));
                self.w("]");
            }
            K::ExternalData {
                columns,
                uris,
                properties,
            } => {
                self.w("externaldata(");
                self.columns(columns);
                self.w(") [");
                self.list(uris, ", ", |p, u| p.operand(u, 1));
                self.w("]");
                self.properties(properties);
            }
        }
    }
}

/// A real that lexes back as the same real: always with a `.` or exponent.
fn real_text(r: f64) -> String {
    if r.is_nan() {
        return "real(nan)".into();
    }
    if r.is_infinite() {
        return if r > 0.0 { "real(+inf)" } else { "real(-inf)" }.into();
    }
    let s = format!("{r:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// Ticks in the largest unit that divides them exactly: `1d`, `90m`, `5tick`.
fn timespan_text(ticks: i64) -> String {
    const UNITS: &[(i128, &str)] = &[
        (864_000_000_000, "d"),
        (36_000_000_000, "h"),
        (600_000_000, "m"),
        (10_000_000, "s"),
        (10_000, "ms"),
        (10, "microsecond"),
        (1, "tick"),
    ];
    let t = i128::from(ticks);
    let (sign, abs) = if t < 0 { ("-", -t) } else { ("", t) };
    for &(size, unit) in UNITS {
        if abs % size == 0 && (abs != 0 || unit == "s") {
            return format!("{sign}{}{unit}", abs / size);
        }
    }
    format!("{sign}{abs}tick")
}

/// The `cluster(c)` of a `database(d, cluster = cluster(c))` call (how
/// `cluster(c).database(d)` parses) and the other arguments.
fn cluster_of_database<'e>(name: &Ident, args: &'e [Expr]) -> Option<(&'e Expr, &'e [Expr])> {
    if name.name != "database" {
        return None;
    }
    let (last, rest) = args.split_last()?;
    match &last.kind {
        ExprKind::NamedArg { name, value } if name.name == "cluster" => Some((value, rest)),
        _ => None,
    }
}

// -- graph operators (syntax::graph) ----------------------------------------

impl Printer {
    fn graph_operator(&mut self, g: &GraphOperator) {
        match g {
            GraphOperator::MakeGraph {
                source,
                target,
                nodes,
                node_id,
                partition,
            } => {
                self.w("make-graph ");
                self.ident(source, NameUse::Reference);
                self.w(" --> ");
                self.ident(target, NameUse::Reference);
                if !nodes.is_empty() {
                    self.w(" with ");
                    self.list(nodes, ", ", |p, (t, c)| {
                        p.operand(t, 9);
                        p.w(" on ");
                        p.ident(c, NameUse::Reference);
                    });
                }
                if let Some(n) = node_id {
                    self.w(" with_node_id=");
                    self.ident(n, NameUse::Declaration);
                }
                if let Some((column, subquery)) = partition {
                    self.w(" partitioned-by ");
                    self.ident(column, NameUse::Reference);
                    self.w(" ");
                    self.subquery(subquery);
                }
            }
            GraphOperator::ToTable { items } => {
                self.w("graph-to-table ");
                self.list(items, ", ", |p, item| {
                    p.w(if item.edges { "edges" } else { "nodes" });
                    if let Some(n) = &item.name {
                        p.w(" as ");
                        p.ident(n, NameUse::Declaration);
                    }
                    for (k, v) in &item.ids {
                        p.w(" ");
                        p.w(&k.name);
                        p.w("=");
                        p.ident(v, NameUse::Declaration);
                    }
                });
            }
            GraphOperator::Match {
                shortest,
                option,
                pattern,
                predicate,
                project,
            } => {
                self.w(if *shortest {
                    "graph-shortest-paths "
                } else {
                    "graph-match "
                });
                if let Some((k, v)) = option {
                    self.w(&k.name);
                    self.w("=");
                    self.ident(v, NameUse::Declaration);
                    self.w(" ");
                }
                self.list(pattern, ", ", |p, s| p.graph_sequence(s));
                if let Some(w) = predicate {
                    self.w(" where ");
                    self.operand(w, 1);
                }
                self.w(" project ");
                self.named_list(project);
            }
            GraphOperator::MarkComponents { kind, component_id } => {
                self.w("graph-mark-components");
                if let Some(k) = kind {
                    self.w(" kind=");
                    self.ident(k, NameUse::Declaration);
                }
                if let Some(c) = component_id {
                    self.w(" with_component_id=");
                    self.ident(c, NameUse::Declaration);
                }
            }
        }
    }

    fn graph_sequence(&mut self, s: &GraphSequence) {
        self.graph_node(&s.first);
        for (e, n) in &s.steps {
            let (open, close) = match e.direction {
                EdgeDirection::Left => ("<-", "-"),
                EdgeDirection::Right => ("-", "->"),
                EdgeDirection::Any => ("-", "-"),
            };
            self.w(open);
            if e.name.is_some() || e.range.is_some() {
                self.w("[");
                if let Some(name) = &e.name {
                    self.ident(name, NameUse::Declaration);
                }
                if let Some((low, high)) = e.range {
                    self.w(&format!("*{low}..{high}"));
                }
                self.w("]");
            }
            self.w(close);
            self.graph_node(n);
        }
    }

    fn graph_node(&mut self, n: &GraphNode) {
        self.w("(");
        if let Some(name) = &n.name {
            self.ident(name, NameUse::Declaration);
        }
        self.w(")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_pick_the_largest_exact_unit() {
        assert_eq!(timespan_text(864_000_000_000), "1d");
        assert_eq!(timespan_text(54_000_000_000), "90m");
        assert_eq!(timespan_text(0), "0s");
        assert_eq!(timespan_text(5), "5tick");
        assert_eq!(timespan_text(-10_000), "-1ms");
        assert_eq!(timespan_text(i64::MIN), "-9223372036854775808tick");
    }

    #[test]
    fn reals_keep_a_decimal_point() {
        assert_eq!(real_text(1.0), "1.0");
        assert_eq!(real_text(0.0015), "0.0015");
        assert_eq!(real_text(1e300), "1e300");
    }
}
