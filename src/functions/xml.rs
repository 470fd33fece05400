//! `parse_xml(xml)` (<https://learn.microsoft.com/kusto/query/parse-xml-function>):
//! XML text as a dynamic value, by the page's conversion table:
//!
//! | XML | dynamic |
//! |---|---|
//! | `<e/>` | `{"e": null}` |
//! | `<e>text</e>` | `{"e": "text"}` |
//! | `<e name="value" />` | `{"e": {"@name": "value"}}` |
//! | `<e name="value">text</e>` | `{"e": {"@name": "value", "#text": "text"}}` |
//! | `<e><a>x</a><b>y</b></e>` | `{"e": {"a": "x", "b": "y"}}` |
//! | `<e><a>x</a><a>y</a></e>` | `{"e": {"a": ["x", "y"]}}` |
//! | `<e> text <a>x</a></e>` | `{"e": {"#text": "text", "a": "x"}}` |
//!
//! Only elements, attributes and text (CDATA included) are converted;
//! comments, processing instructions and the declaration are skipped.
//! Null for invalid XML and for input over 1 MB (the page's limit).
//! Decisions: text is trimmed and whitespace-only text is dropped (the
//! table's `<e> text <a>…` example); several text pieces of one element are
//! joined by a space; values stay strings (the page's `118.0` example is
//! shown as a number, but its table shows strings, and tostring gives the
//! same text either way); names keep their namespace prefix as written.

use super::function;
use super::{EvalContext, ScalarFunction, arg, signature, text};
use crate::types::DataType;
use crate::value::{Bag, Str, Value};
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

pub(super) const FUNCTIONS: &[ScalarFunction] =
    &[function("parse_xml", 1, 1, sig_parse_xml, parse_xml).named(super::Naming::FirstArgument)];

signature!(sig_parse_xml, "parse_xml", [Str] => Dynamic);

/// The page's limit on the input length.
const MAX_INPUT: usize = 1 << 20;

fn parse_xml(args: &[Value], _: &EvalContext) -> Value {
    let xml = text(arg(args, 0));
    if xml.len() > MAX_INPUT {
        return Value::Null;
    }
    xml_to_value(&xml).unwrap_or(Value::Null)
}

/// An element being read.
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<(String, Value)>,
    text: Vec<String>,
}

impl Element {
    fn new(name: &str) -> Element {
        Element {
            name: name.to_string(),
            attributes: Vec::new(),
            children: Vec::new(),
            text: Vec::new(),
        }
    }

    fn push_text(&mut self, t: &str) {
        let t = t.trim();
        if !t.is_empty() {
            self.text.push(t.to_string());
        }
    }

    /// The element's value (its name goes in the parent).
    fn into_value(self) -> Value {
        if self.attributes.is_empty() && self.children.is_empty() {
            return if self.text.is_empty() {
                Value::Null
            } else {
                Value::string(&self.text.join(" "))
            };
        }
        let mut bag = Bag::new();
        for (k, v) in self.attributes {
            bag.insert(Str::from(format!("@{k}")), Value::string(&v));
        }
        if !self.text.is_empty() {
            bag.insert(Str::new("#text"), Value::string(&self.text.join(" ")));
        }
        // Children of one name become an array, at the first one's place.
        let mut order: Vec<String> = Vec::new();
        let mut groups: Vec<Vec<Value>> = Vec::new();
        for (name, value) in self.children {
            match order.iter().position(|n| *n == name) {
                Some(i) => groups[i].push(value),
                None => {
                    order.push(name);
                    groups.push(vec![value]);
                }
            }
        }
        for (name, mut values) in order.into_iter().zip(groups) {
            let v = if values.len() == 1 {
                values.pop().unwrap_or(Value::Null)
            } else {
                Value::array(values)
            };
            bag.insert(Str::from(name), v);
        }
        Value::bag(bag)
    }
}

fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Converts a whole document; `None` when it is not well-formed XML or has
/// no root element.
fn xml_to_value(xml: &str) -> Option<Value> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Value> = None;
    // Text of the current element is collected piece by piece (entity
    // references arrive as separate events) and added when a tag follows.
    let mut pending = String::new();
    let flush = |stack: &mut Vec<Element>, pending: &mut String| {
        if let Some(top) = stack.last_mut() {
            top.push_text(pending);
        }
        pending.clear();
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                flush(&mut stack, &mut pending);
                if root.is_some() {
                    return None;
                }
                let mut element = Element::new(e.name().into_inner());
                for a in e.attributes() {
                    let a = a.ok()?;
                    let value = a.normalized_value(XmlVersion::Implicit1_0).ok()?;
                    element
                        .attributes
                        .push((a.key.into_inner().to_string(), value.into_owned()));
                }
                stack.push(element);
            }
            Event::Empty(e) => {
                flush(&mut stack, &mut pending);
                let mut element = Element::new(e.name().into_inner());
                for a in e.attributes() {
                    let a = a.ok()?;
                    let value = a.normalized_value(XmlVersion::Implicit1_0).ok()?;
                    element
                        .attributes
                        .push((a.key.into_inner().to_string(), value.into_owned()));
                }
                let name = element.name.clone();
                let value = element.into_value();
                match stack.last_mut() {
                    Some(parent) => parent.children.push((name, value)),
                    None if root.is_none() => root = Some(single(name, value)),
                    None => return None,
                }
            }
            Event::End(_) => {
                flush(&mut stack, &mut pending);
                let element = stack.pop()?;
                let name = element.name.clone();
                let value = element.into_value();
                match stack.last_mut() {
                    Some(parent) => parent.children.push((name, value)),
                    None => root = Some(single(name, value)),
                }
            }
            Event::Text(t) => {
                if stack.is_empty() {
                    if !t.xml10_content().trim().is_empty() {
                        return None;
                    }
                } else {
                    pending.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if !stack.is_empty() {
                    pending.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok()??
                } else {
                    predefined_entity(&r.xml10_content())?
                };
                pending.push(c);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

fn single(name: String, value: Value) -> Value {
    let mut bag = Bag::new();
    bag.insert(Str::from(name), value);
    Value::bag(bag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(xml: &str) -> String {
        let mut out = String::new();
        crate::value::json::write_value(&xml_to_value(xml).unwrap_or(Value::Null), &mut out);
        out
    }

    /// Every row of the conversion table of `parse-xml-function`.
    #[test]
    fn the_documented_conversion_table() {
        assert_eq!(json("<e/>"), r#"{"e":null}"#);
        assert_eq!(json("<e>text</e>"), r#"{"e":"text"}"#);
        assert_eq!(json(r#"<e name="value" />"#), r#"{"e":{"@name":"value"}}"#);
        assert_eq!(
            json(r#"<e name="value">text</e>"#),
            r##"{"e":{"@name":"value","#text":"text"}}"##
        );
        assert_eq!(
            json("<e> <a>text</a> <b>text</b> </e>"),
            r#"{"e":{"a":"text","b":"text"}}"#
        );
        assert_eq!(
            json("<e> <a>text</a> <a>text</a> </e>"),
            r#"{"e":{"a":["text","text"]}}"#
        );
        assert_eq!(
            json("<e> text <a>text</a> </e>"),
            r##"{"e":{"#text":"text","a":"text"}}"##
        );
    }

    #[test]
    fn sysmon_event_data_and_entities() {
        let xml = r#"<?xml version="1.0"?><DataItem><EventData><Data Name="Image">C:\a&amp;b.exe</Data><Data Name="Pid">42</Data></EventData></DataItem>"#;
        assert_eq!(
            json(xml),
            r##"{"DataItem":{"EventData":{"Data":[{"@Name":"Image","#text":"C:\\a&b.exe"},{"@Name":"Pid","#text":"42"}]}}}"##
        );
        assert_eq!(json("<a><b></a>"), "null");
        assert_eq!(json("not xml"), "null");
        assert_eq!(json("<a/><b/>"), "null");
    }
}
