//! Content streams interpreted enough to place every glyph and every ruling
//! line: the graphics state stack (`q`/`Q`, `cm`), text objects and their
//! matrices (`BT`/`ET`, `Tm`, `Td`, `TD`, `T*`, `TL`), text state (`Tf`,
//! `Tc`, `Tw`, `Tz`, `Ts`), the showing operators (`Tj`, `TJ`, `'`, `"`),
//! paths (`m`, `l`, `re`, `h`) and their painting (`S`, `s`, `f`, `F`, `f*`,
//! `B`, `b`, `n`), form XObjects (`Do`) with their own resources, and
//! marked content with an `ActualText` (`BDC` … `EMC`), whose text replaces
//! the glyphs shown inside it (Chrome, for one, maps CJK glyphs to radicals
//! in ToUnicode and gives the real characters this way).

use crate::font::{Font, number};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;
use std::rc::Rc;

/// One glyph as placed on the page, in points with the origin at the page's
/// bottom left.
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    pub(crate) text: String,
    /// Left and right edges.
    pub(crate) x0: f32,
    pub(crate) x1: f32,
    /// Baseline.
    pub(crate) y: f32,
    /// Font size as drawn (the glyph's height).
    pub(crate) size: f32,
    /// The showing operation that drew it (`Tj`, one `TJ` array …),
    /// numbered in drawing order: one run of text.
    pub(crate) run: u32,
}

/// An axis-aligned line drawn on the page: a stroke, or a filled rectangle
/// thin enough to be one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rule {
    pub(crate) x0: f32,
    pub(crate) y0: f32,
    pub(crate) x1: f32,
    pub(crate) y1: f32,
}

/// What a page draws.
#[derive(Debug, Default)]
pub(crate) struct Drawn {
    pub(crate) glyphs: Vec<Glyph>,
    pub(crate) rules: Vec<Rule>,
}

/// How thick a filled rectangle may be and still count as a line.
const THIN: f32 = 2.5;
/// How deep form XObjects may nest.
const MAX_DEPTH: usize = 8;
/// Most glyphs and rules read from one page.
const MAX_ITEMS: usize = 1 << 20;
/// Most operators run for one page, those of the form XObjects it draws
/// included. Forms drawn within forms multiply: one drawn 30 times, each
/// drawing one drawn 30 times, seven deep, is 2e10 operators from a 4 KB
/// file, which ran until it was killed. A page of forms takes some
/// thousands.
const MAX_OPS: usize = 1 << 22;
/// Most bytes a page's content may inflate to.
pub(crate) const MAX_CONTENT: usize = 64 << 20;

pub(crate) type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b` (apply `a`, then `b`).
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// A PDF text string: UTF-16BE after a byte-order mark, else one byte per
/// character (PDFDocEncoding, Latin-1 for the printable range).
fn text_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(rest) => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| b as char).collect(),
    }
}

#[derive(Clone)]
struct State<'a> {
    ctm: Matrix,
    font: Option<Rc<Font<'a>>>,
    size: f32,
    char_space: f32,
    word_space: f32,
    scale: f32,
    leading: f32,
    rise: f32,
}

struct Interpreter<'a> {
    doc: &'a Document,
    fonts: HashMap<*const Dictionary, Rc<Font<'a>>>,
    out: Drawn,
    path: Vec<(f32, f32, f32, f32)>,
    start: (f32, f32),
    at: (f32, f32),
    /// Open marked-content sequences: for each, the glyph count at its
    /// start and its ActualText, when it has one.
    marked: Vec<Option<(usize, String)>>,
    /// Showing operations so far.
    runs: u32,
    /// Operators run so far.
    ops: usize,
    /// Most operators run ([`MAX_OPS`]).
    most_ops: usize,
}

/// Everything a page draws, in the coordinates `view` maps user space to
/// (the page as displayed).
pub(crate) fn page(doc: &Document, page: lopdf::ObjectId, view: Matrix) -> Drawn {
    interpret(doc, page, view, MAX_OPS).out
}

/// The interpreter after it ran a page's content, at most `most_ops`
/// operators of it.
fn interpret(
    doc: &Document,
    page: lopdf::ObjectId,
    view: Matrix,
    most_ops: usize,
) -> Interpreter<'_> {
    let content = doc
        .get_page_content_with_limit(page, MAX_CONTENT)
        .unwrap_or_default();
    let resources = page_resources(doc, page);
    let mut it = Interpreter {
        doc,
        fonts: HashMap::new(),
        out: Drawn::default(),
        path: Vec::new(),
        start: (0.0, 0.0),
        at: (0.0, 0.0),
        marked: Vec::new(),
        runs: 0,
        ops: 0,
        most_ops,
    };
    let state = State {
        ctm: view,
        font: None,
        size: 0.0,
        char_space: 0.0,
        word_space: 0.0,
        scale: 1.0,
        leading: 0.0,
        rise: 0.0,
    };
    it.run(&content, &resources, state, 0);
    it
}

/// A page's resources, the inherited ones merged under its own.
fn page_resources(doc: &Document, page: lopdf::ObjectId) -> Vec<&Dictionary> {
    let Ok((own, inherited)) = doc.get_page_resources(page) else {
        return Vec::new();
    };
    own.into_iter()
        .chain(
            inherited
                .iter()
                .filter_map(|id| doc.get_dictionary(*id).ok()),
        )
        .collect()
}

/// Looks a named resource up in a resource category (`Font`, `XObject`).
fn resource<'a>(
    doc: &'a Document,
    resources: &[&'a Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<&'a Object> {
    resources.iter().find_map(|r| {
        let cat = r.get_deref(category, doc).ok()?.as_dict().ok()?;
        let (_, o) = doc.dereference(cat.get(name).ok()?).ok()?;
        Some(o)
    })
}

impl<'a> Interpreter<'a> {
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        mut g: State<'a>,
        depth: usize,
    ) {
        let Ok(ops) = Content::decode(content) else {
            return;
        };
        let mut stack: Vec<State<'a>> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in &ops.operations {
            if self.out.glyphs.len() + self.out.rules.len() > MAX_ITEMS || self.ops >= self.most_ops
            {
                return;
            }
            self.ops += 1;
            let n = |i: usize| -> f32 {
                op.operands
                    .get(i)
                    .and_then(|o| number(self.doc, o))
                    .filter(|v| v.is_finite())
                    .unwrap_or(0.0)
            };
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(g.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        g = s;
                    }
                }
                "cm" => g.ctm = mul(&[n(0), n(1), n(2), n(3), n(4), n(5)], &g.ctm),
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    g.size = n(1);
                    g.font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| resource(self.doc, resources, b"Font", name))
                        .and_then(|o| o.as_dict().ok())
                        .map(|d| {
                            self.fonts
                                .entry(d as *const Dictionary)
                                .or_insert_with(|| Rc::new(Font::load(d, self.doc)))
                                .clone()
                        });
                }
                "Tc" => g.char_space = n(0),
                "Tw" => g.word_space = n(0),
                "Tz" => g.scale = n(0) / 100.0,
                "TL" => g.leading = n(0),
                "Ts" => g.rise = n(0),
                "Td" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                "TD" => {
                    g.leading = -n(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                "Tm" => {
                    tlm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    tm = tlm;
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -g.leading], &tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator == "\"" {
                        g.word_space = n(0);
                        g.char_space = n(1);
                    }
                    if op.operator != "Tj" {
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -g.leading], &tlm);
                        tm = tlm;
                    }
                    if let Some(Object::String(s, _)) = op.operands.last() {
                        self.runs += 1;
                        self.show(s, &g, &mut tm);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = op.operands.first() {
                        // One TJ array is one run.
                        self.runs += 1;
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(s, &g, &mut tm),
                                other => {
                                    let adj = number(self.doc, other).unwrap_or(0.0);
                                    let tx = -adj / 1000.0 * g.size * g.scale;
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                }
                            }
                        }
                    }
                }
                "m" => {
                    self.at = apply(&g.ctm, n(0), n(1));
                    self.start = self.at;
                }
                "l" => {
                    let to = apply(&g.ctm, n(0), n(1));
                    self.path.push((self.at.0, self.at.1, to.0, to.1));
                    self.at = to;
                }
                "h" => {
                    self.path
                        .push((self.at.0, self.at.1, self.start.0, self.start.1));
                    self.at = self.start;
                }
                "re" => {
                    let (x, y, w, h) = (n(0), n(1), n(2), n(3));
                    let c = [
                        apply(&g.ctm, x, y),
                        apply(&g.ctm, x + w, y),
                        apply(&g.ctm, x + w, y + h),
                        apply(&g.ctm, x, y + h),
                    ];
                    for k in 0..4 {
                        let (a, b) = (c[k], c[(k + 1) % 4]);
                        self.path.push((a.0, a.1, b.0, b.1));
                    }
                    self.at = c[0];
                    self.start = c[0];
                }
                "S" | "s" | "B" | "B*" | "b" | "b*" => self.paint(true),
                "f" | "F" | "f*" => self.paint(false),
                "n" => self.path.clear(),
                "BMC" | "BDC" if self.marked.len() < 256 => {
                    let actual = op
                        .operands
                        .get(1)
                        .and_then(|o| o.as_dict().ok())
                        .and_then(|d| d.get(b"ActualText").ok())
                        .and_then(|t| t.as_str().ok())
                        .map(text_string);
                    self.marked.push(actual.map(|t| (self.out.glyphs.len(), t)));
                }
                "EMC" => {
                    if let Some(Some((start, text))) = self.marked.pop() {
                        self.actual_text(start, text);
                    }
                }
                "Do" if depth < MAX_DEPTH => self.form(op, resources, &g, depth),
                _ => {}
            }
        }
    }

    /// Places the glyphs of a shown string and advances the text matrix.
    fn show(&mut self, bytes: &[u8], g: &State<'a>, tm: &mut Matrix) {
        let Some(font) = g.font.clone() else {
            return;
        };
        for code in font.codes(bytes) {
            let w0 = font.width(code) / 1000.0;
            let space = if !font.two_byte && code == 32 {
                g.word_space
            } else {
                0.0
            };
            let tx = (w0 * g.size + g.char_space + space) * g.scale;
            let trm = mul(
                &mul(&[g.size * g.scale, 0.0, 0.0, g.size, 0.0, g.rise], tm),
                &g.ctm,
            );
            let (x0, y) = apply(&trm, 0.0, 0.0);
            let (x1, _) = apply(&trm, w0, 0.0);
            let (_, top) = apply(&trm, 0.0, 1.0);
            let text = font.text(code);
            if !text.trim().is_empty() && x0.is_finite() && y.is_finite() {
                self.out.glyphs.push(Glyph {
                    text,
                    x0: x0.min(x1),
                    x1: x0.max(x1).max(x0 + 0.1),
                    y,
                    size: (top - y).abs().max(1.0),
                    run: self.runs,
                });
            }
            *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
        }
    }

    /// Replaces the glyphs shown since `start` with one glyph of `text`
    /// over their extent (no glyph at all when the text is empty).
    fn actual_text(&mut self, start: usize, text: String) {
        if start >= self.out.glyphs.len() {
            return;
        }
        let shown = self.out.glyphs.split_off(start);
        if text.trim().is_empty() {
            return;
        }
        let first = &shown[0];
        self.out.glyphs.push(Glyph {
            text,
            x0: shown.iter().map(|g| g.x0).fold(first.x0, f32::min),
            x1: shown.iter().map(|g| g.x1).fold(first.x1, f32::max),
            y: first.y,
            size: shown.iter().map(|g| g.size).fold(first.size, f32::max),
            run: first.run,
        });
    }

    /// Turns the current path's axis-aligned segments into rules.
    fn paint(&mut self, stroke: bool) {
        let path = std::mem::take(&mut self.path);
        if stroke {
            for (x0, y0, x1, y1) in path {
                if (y1 - y0).abs() < 0.5 || (x1 - x0).abs() < 0.5 {
                    self.rule(x0, y0, x1, y1);
                }
            }
            return;
        }
        // A filled shape: every closed run of four segments that forms a
        // thin axis-aligned box is a line along its long side.
        for quad in path.chunks(4) {
            let xs = quad.iter().flat_map(|s| [s.0, s.2]);
            let ys = quad.iter().flat_map(|s| [s.1, s.3]);
            let (x0, x1) = xs.fold((f32::MAX, f32::MIN), |(a, b), v| (a.min(v), b.max(v)));
            let (y0, y1) = ys.fold((f32::MAX, f32::MIN), |(a, b), v| (a.min(v), b.max(v)));
            let (w, h) = (x1 - x0, y1 - y0);
            if h <= THIN && w > h {
                let y = (y0 + y1) / 2.0;
                self.rule(x0, y, x1, y);
            } else if w <= THIN && h > w {
                let x = (x0 + x1) / 2.0;
                self.rule(x, y0, x, y1);
            }
        }
    }

    fn rule(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        if [x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
            self.out.rules.push(Rule {
                x0: x0.min(x1),
                y0: y0.min(y1),
                x1: x0.max(x1),
                y1: y0.max(y1),
            });
        }
    }

    /// A form XObject: its content under its matrix and its resources.
    fn form(
        &mut self,
        op: &lopdf::content::Operation,
        resources: &[&'a Dictionary],
        g: &State<'a>,
        depth: usize,
    ) {
        let Some(stream) = op
            .operands
            .first()
            .and_then(|o| o.as_name().ok())
            .and_then(|name| resource(self.doc, resources, b"XObject", name))
            .and_then(|o| o.as_stream().ok())
        else {
            return;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
            return;
        }
        let Ok(content) = stream.get_plain_content_with_limit(MAX_CONTENT) else {
            return;
        };
        let mut inner = g.clone();
        if let Ok(m) = stream.dict.get(b"Matrix").and_then(Object::as_array)
            && m.len() == 6
        {
            let v: Vec<f32> = m
                .iter()
                .map(|o| number(self.doc, o).unwrap_or(0.0))
                .collect();
            inner.ctm = mul(&[v[0], v[1], v[2], v[3], v[4], v[5]], &g.ctm);
        }
        let mut res: Vec<&'a Dictionary> = stream
            .dict
            .get_deref(b"Resources", self.doc)
            .and_then(Object::as_dict)
            .into_iter()
            .collect();
        res.extend(resources.iter().copied());
        let saved = std::mem::take(&mut self.path);
        self.run(&content, &res, inner, depth + 1);
        self.path = saved;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};

    /// A page that draws a form `width` times, which draws another `width`
    /// times, `depth` forms deep, the last drawing nothing.
    fn nested_forms(width: usize, depth: usize) -> (Document, lopdf::ObjectId) {
        let mut doc = Document::with_version("1.5");
        let draws = |name: &str| {
            vec![format!("q /{name} Do Q"); width]
                .join(" ")
                .into_bytes()
        };
        let mut inner = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form" },
            b"q Q".to_vec(),
        ));
        for _ in 1..depth {
            inner = doc.add_object(Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Form",
                    "Resources" => dictionary! { "XObject" => dictionary! { "X" => inner } },
                },
                draws("X"),
            ));
        }
        let pages = doc.new_object_id();
        let contents = doc.add_object(Stream::new(dictionary! {}, draws("X")));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages, "Contents" => contents,
            "Resources" => dictionary! { "XObject" => dictionary! { "X" => inner } },
        });
        doc.objects.insert(
            pages,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        (doc, page)
    }

    #[test]
    fn forms_within_forms_run_within_the_pages_budget() {
        // 30 × 30 × … seven deep: 2e10 operators, were each run.
        let (doc, page) = nested_forms(30, 7);
        let it = interpret(&doc, page, IDENTITY, 10_000);
        assert_eq!(it.ops, 10_000);
        // Two deep, every operator runs: the page's three `q /X Do Q`, each
        // outer form's three, each inner form's `q Q`.
        let (doc, page) = nested_forms(3, 2);
        assert_eq!(
            interpret(&doc, page, IDENTITY, 10_000).ops,
            9 + 3 * (9 + 3 * 2)
        );
    }
}
