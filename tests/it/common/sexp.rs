//! Shared helpers for the parser tests: a compact S-expression view of
//! syntax trees, so a test can state a tree's shape on one line.
#![allow(dead_code)]

use kqlite::internals::syntax::ast::*;

pub fn parse_ok(q: &str) -> Query {
    match kqlite::internals::syntax::parse(q) {
        Ok(t) => t,
        Err(e) => panic!("{}", e.diagnostic().render(q, "query")),
    }
}

/// The single expression of a one-statement query, as an S-expression.
pub fn expr_of(q: &str) -> String {
    let t = parse_ok(q);
    assert_eq!(t.statements.len(), 1, "{q}");
    match &t.statements[0].kind {
        StatementKind::Expr { expr } => sexp(expr),
        other => panic!("not an expression statement: {other:?}"),
    }
}

/// `print <e>` → the S-expression of `e`.
pub fn scalar(e: &str) -> String {
    let t = parse_ok(&format!("print {e}"));
    let StatementKind::Expr { expr } = &t.statements[0].kind else {
        panic!()
    };
    let ExprKind::Source { operator } = &expr.kind else {
        panic!()
    };
    let OperatorKind::Print { columns } = &operator.kind else {
        panic!()
    };
    assert!(columns[0].names.is_empty());
    sexp(&columns[0].expr)
}

pub fn lit(l: &Literal) -> String {
    match l {
        Literal::Null => "null".into(),
        Literal::Bool(b) => b.to_string(),
        Literal::Long(v) => v.to_string(),
        Literal::Real(v) => format!("{v:?}r"),
        Literal::String(s) => format!("{s:?}"),
        Literal::Timespan(t) => format!("{t}t"),
        Literal::Typed { type_name, text } => format!("{type_name}({text})"),
        Literal::Dynamic(v) => format!("dynamic({})", lit(v)),
        Literal::Array(items) => {
            format!("[{}]", items.iter().map(lit).collect::<Vec<_>>().join(" "))
        }
        Literal::Bag(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{k:?}:{}", lit(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

pub fn sexp(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal { value } => lit(value),
        ExprKind::Name { name } => name.name.clone(),
        ExprKind::Star => "*".into(),
        ExprKind::Paren { expr } => format!("(paren {})", sexp(expr)),
        ExprKind::Unary { op, operand } => {
            let o = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Plus => "+",
            };
            format!("({o} {})", sexp(operand))
        }
        ExprKind::Binary { op, left, right } => {
            format!("({} {} {})", binop(*op), sexp(left), sexp(right))
        }
        ExprKind::List { op, left, items } => {
            let o = match op {
                ListOp::In {
                    negated,
                    case_sensitive,
                } => format!(
                    "{}in{}",
                    if *negated { "!" } else { "" },
                    if *case_sensitive { "" } else { "~" }
                ),
                ListOp::HasAny => "has_any".into(),
                ListOp::HasAll => "has_all".into(),
            };
            let mut s = format!("({o} {}", sexp(left));
            for i in items {
                s.push(' ');
                s.push_str(&sexp(i));
            }
            s + ")"
        }
        ExprKind::Between {
            negated,
            expr,
            low,
            high,
        } => format!(
            "({}between {} {} {})",
            if *negated { "!" } else { "" },
            sexp(expr),
            sexp(low),
            sexp(high)
        ),
        ExprKind::Call { name, args } => {
            let mut s = format!("(call {}", name.name);
            for a in args {
                s.push(' ');
                s.push_str(&sexp(a));
            }
            s + ")"
        }
        ExprKind::NamedArg { name, value } => format!("(arg {} {})", name.name, sexp(value)),
        ExprKind::Member { target, name } => format!("(. {} {})", sexp(target), name.name),
        ExprKind::Index { target, index } => format!("([] {} {})", sexp(target), sexp(index)),
        ExprKind::TypeOf { ty } => format!("typeof({})", ty.name),
        ExprKind::Source { operator } => format!("(source {})", op_sexp(operator)),
        ExprKind::Pipe { input, operator } => format!("(| {} {})", sexp(input), op_sexp(operator)),
    }
}

pub fn binop(op: BinaryOp) -> String {
    use BinaryOp::*;
    match op {
        Or => "or".into(),
        And => "and".into(),
        Eq => "==".into(),
        NotEq => "!=".into(),
        Lt => "<".into(),
        Le => "<=".into(),
        Gt => ">".into(),
        Ge => ">=".into(),
        Add => "+".into(),
        Sub => "-".into(),
        Mul => "*".into(),
        Div => "/".into(),
        Mod => "%".into(),
        Str(s) => {
            let base = format!("{:?}", s.kind).to_lowercase();
            format!(
                "{}{}{}",
                if s.negated { "!" } else { "" },
                base,
                if s.case_sensitive { "_cs" } else { "" }
            )
        }
    }
}

fn named(n: &NamedExpr) -> String {
    match n.names.len() {
        0 => sexp(&n.expr),
        1 => format!("(= {} {})", n.names[0].name, sexp(&n.expr)),
        _ => format!(
            "(= ({}) {})",
            n.names
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            sexp(&n.expr)
        ),
    }
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(" ")
}

fn params(p: &[OpParam]) -> String {
    p.iter()
        .map(|p| format!("{}={} ", p.name.name, sexp(&p.value)))
        .collect()
}

fn sort_key(k: &SortKey) -> String {
    let mut s = sexp(&k.expr);
    if let Some(o) = k.order {
        s += &format!(" {o:?}").to_lowercase();
    }
    if let Some(n) = k.nulls {
        s += &format!(" nulls-{n:?}").to_lowercase();
    }
    s
}

pub fn op_sexp(o: &Operator) -> String {
    use OperatorKind::*;
    match &o.kind {
        Where {
            params: p,
            predicate,
        } => format!("where {}{}", params(p), sexp(predicate)),
        Extend { columns } => format!("extend {}", list(columns, named)),
        Project { columns } => format!("project {}", list(columns, named)),
        ProjectAway { columns } => format!("project-away {}", list(columns, |c| c.pattern.clone())),
        ProjectKeep { columns } => format!("project-keep {}", list(columns, |c| c.pattern.clone())),
        ProjectRename { renames } => format!(
            "project-rename {}",
            list(renames, |r| format!("{}<-{}", r.new.name, r.old.name))
        ),
        Take { count, .. } => format!("take {}", sexp(count)),
        Count { name: None } => "count".into(),
        Count { name: Some(n) } => format!("count as {}", n.name),
        Sort { params: p, keys } => format!("sort {}{}", params(p), list(keys, sort_key)),
        Top { count, key, .. } => format!("top {} {}", sexp(count), sort_key(key)),
        Distinct { columns, .. } => format!("distinct {}", list(columns, named)),
        Summarize {
            params: p,
            aggregates,
            by,
        } => format!(
            "summarize {}{} by {}",
            params(p),
            list(aggregates, named),
            list(by, named)
        ),
        Join {
            params: p,
            right,
            on,
            predicate,
        } => format!(
            "join {}{} on {}{}",
            params(p),
            sexp(right),
            list(on, sexp),
            predicate
                .as_ref()
                .map_or(String::new(), |p| format!(" where {}", sexp(p)))
        ),
        Union { params: p, tables } => format!("union {}{}", params(p), list(tables, sexp)),
        MvExpand {
            params: p,
            items,
            limit,
        } => format!(
            "mv-expand {}{}{}",
            params(p),
            list(items, |i| match &i.to_type {
                Some(t) => format!("{} to {}", named(&i.column), t.name),
                None => named(&i.column),
            }),
            limit
                .as_ref()
                .map_or(String::new(), |l| format!(" limit {}", sexp(l)))
        ),
        Parse {
            params: p,
            source,
            pattern,
        } => format!(
            "parse {}{} with {}",
            params(p),
            sexp(source),
            list(pattern, |part| match part {
                ParsePart::Star { .. } => "*".into(),
                ParsePart::Literal { text, .. } => format!("{text:?}"),
                ParsePart::Column { name, ty, .. } => match ty {
                    Some(t) => format!("{}:{}", name.name, t.name),
                    None => name.name.clone(),
                },
            })
        ),
        Print { columns } => format!("print {}", list(columns, named)),
        Range {
            column,
            from,
            to,
            step,
        } => format!(
            "range {} {} {} {}",
            column.name,
            sexp(from),
            sexp(to),
            sexp(step)
        ),
        ProjectReorder { columns } => format!(
            "project-reorder {}",
            list(columns, |c| match &c.order {
                Some(o) => format!("{}:{}", c.pattern.pattern, o.name),
                None => c.pattern.pattern.clone(),
            })
        ),
        TopNested { levels } => format!(
            "top-nested {}",
            levels
                .iter()
                .map(|l| format!(
                    "[{} of {}{} by {}{}]",
                    l.count.as_ref().map_or("-".into(), sexp),
                    named(&l.of),
                    l.others
                        .as_ref()
                        .map_or(String::new(), |o| format!(" others {}", sexp(o))),
                    named(&l.by),
                    l.order
                        .map_or(String::new(), |o| format!(" {o:?}").to_lowercase())
                ))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        TopHitters { count, of, by } => format!(
            "top-hitters {} of {}{}",
            sexp(count),
            sexp(of),
            by.as_ref()
                .map_or(String::new(), |b| format!(" by {}", sexp(b)))
        ),
        Lookup {
            params: p,
            right,
            on,
        } => {
            format!("lookup {}{} on {}", params(p), sexp(right), list(on, sexp))
        }
        MvApply {
            params: p,
            items,
            limit,
            subquery,
        } => format!(
            "mv-apply {}{}{} on {}",
            params(p),
            list(items, |i| match &i.to_type {
                Some(t) => format!("{} to {}", named(&i.column), t.name),
                None => named(&i.column),
            }),
            limit
                .as_ref()
                .map_or(String::new(), |l| format!(" limit {}", sexp(l))),
            sexp(subquery)
        ),
        ParseWhere {
            params: p,
            source,
            pattern,
        } => format!(
            "parse-where {}{} with {}",
            params(p),
            sexp(source),
            list(pattern, |part| match part {
                ParsePart::Star { .. } => "*".into(),
                ParsePart::Literal { text, .. } => format!("{text:?}"),
                ParsePart::Column { name, ty, .. } => match ty {
                    Some(t) => format!("{}:{}", name.name, t.name),
                    None => name.name.clone(),
                },
            })
        ),
        ParseKv {
            source,
            columns,
            properties,
        } => format!(
            "parse-kv {} as ({}){}",
            sexp(source),
            cols(columns),
            props(properties)
        ),
        MakeSeries {
            params: p,
            aggregates,
            axis,
            range,
            by,
        } => format!(
            "make-series {}{} on {} {} by {}",
            params(p),
            list(aggregates, |a| match &a.default {
                Some(d) => format!("{} default {}", named(&a.column), sexp(d)),
                None => named(&a.column),
            }),
            sexp(axis),
            match range {
                MakeSeriesRange::FromTo { from, to, step } => format!(
                    "from {} to {} step {}",
                    from.as_ref().map_or("-".into(), sexp),
                    to.as_ref().map_or("-".into(), sexp),
                    sexp(step)
                ),
                MakeSeriesRange::InRange { start, stop, step } =>
                    format!("in range {} {} {}", sexp(start), sexp(stop), sexp(step)),
            },
            list(by, named)
        ),
        Evaluate { params: p, plugin } => format!("evaluate {}{}", params(p), sexp(plugin)),
        As { params: p, name } => format!("as {}{}", params(p), name.name),
        Invoke { function } => format!("invoke {}", sexp(function)),
        Render { chart, properties } => format!("render {}{}", chart.name, props(properties)),
        Search {
            params: p,
            tables,
            predicate,
        } => format!(
            "search {}in ({}) {}",
            params(p),
            list(tables, sexp),
            sexp(predicate)
        ),
        Find {
            params: p,
            tables,
            predicate,
            project,
        } => format!(
            "find {}in ({}) where {}{}",
            params(p),
            list(tables, sexp),
            sexp(predicate),
            project
                .as_ref()
                .map_or(String::new(), |c| format!(" project {}", list(c, named)))
        ),
        GetSchema => "getschema".into(),
        Serialize { columns } => format!("serialize {}", list(columns, named)),
        Sample { count } => format!("sample {}", sexp(count)),
        SampleDistinct { count, of } => format!("sample-distinct {} of {}", sexp(count), sexp(of)),
        Fork { branches } => format!(
            "fork {}",
            list(branches, |b| format!(
                "{}[{}]",
                b.name
                    .as_ref()
                    .map_or(String::new(), |n| format!("{}=", n.name)),
                b.operators
                    .iter()
                    .map(op_sexp)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ))
        ),
        Consume { params: p } => format!("consume {}", params(p)),
        Graph(_) => format!("graph {o}"),
        Scan {
            match_id,
            declare,
            steps,
        } => format!(
            "scan{}{} with [{}]",
            match_id
                .as_ref()
                .map_or(String::new(), |m| format!(" with_match_id={}", m.name)),
            if declare.is_empty() {
                String::new()
            } else {
                format!(
                    " declare ({})",
                    list(declare, |d| format!(
                        "{}:{}{}",
                        d.column.name.name,
                        d.column.ty.name,
                        d.default
                            .as_ref()
                            .map_or(String::new(), |v| format!("={}", sexp(v)))
                    ))
                )
            },
            steps
                .iter()
                .map(|s| format!(
                    "step {}{} {}{}",
                    s.name.name,
                    s.output
                        .as_ref()
                        .map_or(String::new(), |o| format!(" output={}", o.name)),
                    sexp(&s.condition),
                    s.assignments
                        .iter()
                        .map(|a| format!(" (= {} {})", a.column.name, sexp(&a.value)))
                        .collect::<String>()
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        ProjectByNames { columns } => format!("project-by-names {}", list(columns, sexp)),
        Reduce {
            params: p,
            by,
            with,
        } => format!(
            "reduce {}by {}{}",
            params(p),
            sexp(by),
            with.iter()
                .map(|w| format!(" (= {} {})", w.name.name, sexp(&w.value)))
                .collect::<String>()
        ),
        Facet { columns, with } => format!(
            "facet by {}{}",
            list(columns, |c| c.name.clone()),
            with.as_ref()
                .map_or(String::new(), |w| format!(" with {}", sexp(w)))
        ),
        Partition {
            params: p,
            column,
            subquery,
        } => format!(
            "partition {}by {} {}",
            params(p),
            column.name,
            sexp(subquery)
        ),
        DataTable { columns, values } => {
            format!("datatable ({}) [{}]", cols(columns), list(values, sexp))
        }
        ExternalData {
            columns,
            uris,
            properties,
        } => format!(
            "externaldata ({}) [{}]{}",
            cols(columns),
            list(uris, sexp),
            props(properties)
        ),
    }
}

fn cols(c: &[ColumnDecl]) -> String {
    list(c, |c| format!("{}:{}", c.name.name, c.ty.name))
}

fn props(p: &[Property]) -> String {
    if p.is_empty() {
        return String::new();
    }
    format!(
        " with ({})",
        list(p, |p| format!("{}={}", p.name.name, sexp(&p.value)))
    )
}

/// All statements of a query, one S-expression each.
pub fn statements(q: &str) -> Vec<String> {
    parse_ok(q)
        .statements
        .iter()
        .map(|s| match &s.kind {
            StatementKind::Let { name, value } => match value {
                LetValue::Expr { expr } => format!("let {} = {}", name.name, sexp(expr)),
                LetValue::Function { view, params, body } => format!(
                    "let {} = {}({}) {{ {} }}",
                    name.name,
                    if *view { "view " } else { "" },
                    list(params, param),
                    body.statements
                        .iter()
                        .map(|s| match &s.kind {
                            StatementKind::Expr { expr } => sexp(expr),
                            StatementKind::Let {
                                name,
                                value: LetValue::Expr { expr },
                            } => format!("let {} = {}", name.name, sexp(expr)),
                            other => format!("{other:?}"),
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            },
            StatementKind::Set { name, value } => format!(
                "set {}{}",
                name.name,
                value
                    .as_ref()
                    .map_or(String::new(), |v| format!(" = {}", sexp(v)))
            ),
            StatementKind::DeclareQueryParameters { params } => {
                format!("declare ({})", list(params, param))
            }
            StatementKind::Expr { expr } => sexp(expr),
        })
        .collect()
}

fn param(p: &Param) -> String {
    let ty = match &p.ty {
        ParamType::Scalar { ty } => ty.name.clone(),
        ParamType::Tabular { columns: None } => "(*)".into(),
        ParamType::Tabular { columns: Some(c) } => format!("({})", cols(c)),
    };
    match &p.default {
        Some(d) => format!("{}:{}={}", p.name.name, ty, sexp(d)),
        None => format!("{}:{}", p.name.name, ty),
    }
}
