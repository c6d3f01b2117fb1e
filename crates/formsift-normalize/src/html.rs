//! HTML fragments inside cells, parsed with `scraper`.

use scraper::{Html, Node};

/// Separates cells produced by block headings inside one source cell.
const CELL_BREAK: char = '\u{1f}';

/// True when the text holds an HTML tag.
pub(crate) fn has_markup(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        && text.contains('>')
}

/// Parses one cell's HTML into one or more cell texts: paragraphs joined with
/// `\n`, headings as separate cells, check boxes as ☑/☐, entities decoded.
pub(crate) fn clean_cell(fragment: &str) -> Vec<String> {
    let doc = Html::parse_fragment(fragment);
    let mut out = String::new();
    walk(doc.tree.root(), &mut out);
    out.split(CELL_BREAK)
        .map(|cell| {
            cell.split('\n')
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|c| !c.is_empty())
        .collect()
}

fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String) {
    for child in node.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                match name {
                    "input" => {
                        if e.attr("type").is_none_or(|t| {
                            t.eq_ignore_ascii_case("checkbox") || t.eq_ignore_ascii_case("radio")
                        }) {
                            out.push_str(if e.attr("checked").is_some() {
                                " ☑ "
                            } else {
                                " ☐ "
                            });
                        }
                    }
                    "br" => out.push('\n'),
                    "script" | "style" => {}
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "td" | "th" => {
                        out.push(CELL_BREAK);
                        walk(child, out);
                        out.push(CELL_BREAK);
                    }
                    "p" | "div" | "li" | "tr" | "ul" | "ol" | "table" => {
                        out.push('\n');
                        walk(child, out);
                        out.push('\n');
                    }
                    _ => walk(child, out),
                }
            }
            _ => walk(child, out),
        }
    }
}
