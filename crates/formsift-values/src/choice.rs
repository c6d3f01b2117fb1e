//! Check-box options: which one is ticked.

/// What a check-box field says.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// No boxes at all: plain text.
    Plain(String),
    /// These options are ticked.
    Ticked(Vec<String>),
    /// No tick, but exactly one option lacks the empty box every other has.
    Inferred(String),
    /// Boxes, but none ticked and nothing to infer.
    NoneTicked,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Box(bool),
}

/// Resolves a check-box row: options followed (or preceded) by ☑/☐ glyphs.
pub fn parse_choice(text: &str, ticked: &[String], unticked: &[String]) -> Choice {
    // The glyphs as characters, ticked first (a glyph of several characters
    // never stands for one character and is left out).
    let single = |g: &String| {
        let mut chars = g.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    // (Room for both lists at once, filled one list after the other: a
    // collect from a chain of filters grew the list step by step.)
    let mut glyphs: Vec<(char, bool)> = Vec::with_capacity(ticked.len() + unticked.len());
    glyphs.extend(ticked.iter().filter_map(|g| single(g).map(|c| (c, true))));
    glyphs.extend(
        unticked
            .iter()
            .filter_map(|g| single(g).map(|c| (c, false))),
    );
    // (A bit per glyph's low six bits passes most characters over before
    // the list is searched.)
    let bloom = glyphs
        .iter()
        .fold(0u64, |m, (g, _)| m | 1 << (u32::from(*g) & 63));
    let glyph = |c: char| {
        if bloom >> (u32::from(c) & 63) & 1 == 0 {
            return None;
        }
        glyphs.iter().find(|(g, _)| *g == c).map(|(_, t)| *t)
    };
    // (Room for a usual row's options and boxes at once.)
    let mut pieces = Vec::with_capacity(16);
    for word in text.split_whitespace() {
        let mut start = 0;
        for (i, c) in word.char_indices() {
            if let Some(b) = glyph(c) {
                if start < i {
                    pieces.push(Piece::Text(&word[start..i]));
                }
                pieces.push(Piece::Box(b));
                start = i + c.len_utf8();
            }
        }
        if start < word.len() {
            pieces.push(Piece::Text(&word[start..]));
        }
    }
    if !pieces.iter().any(|p| matches!(p, Piece::Box(_))) {
        return Choice::Plain(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    let suffix_style = matches!(pieces.first(), Some(Piece::Text(_)));
    let mut options: Vec<(&str, Option<bool>)> = Vec::new();
    let mut pending_box: Option<bool> = None;
    for p in pieces {
        match p {
            Piece::Text(t) => {
                if suffix_style {
                    options.push((t, None));
                } else {
                    options.push((t, pending_box.take()));
                }
            }
            Piece::Box(b) => {
                if suffix_style {
                    if let Some(last) = options.last_mut().filter(|o| o.1.is_none()) {
                        last.1 = Some(b);
                    }
                } else {
                    pending_box = Some(b);
                }
            }
        }
    }
    let ticked: Vec<String> = options
        .iter()
        .filter(|o| o.1 == Some(true))
        .map(|o| o.0.to_string())
        .collect();
    if !ticked.is_empty() {
        return Choice::Ticked(ticked);
    }
    let unboxed: Vec<&(&str, Option<bool>)> = options.iter().filter(|o| o.1.is_none()).collect();
    if unboxed.len() == 1 && options.len() > 1 {
        return Choice::Inferred(unboxed[0].0.to_string());
    }
    Choice::NoneTicked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs() -> (Vec<String>, Vec<String>) {
        (
            vec!["☑".into(), "\u{F052}".into()],
            vec!["☐".into(), "□".into()],
        )
    }

    fn p(s: &str) -> Choice {
        let (t, u) = glyphs();
        parse_choice(s, &t, &u)
    }

    #[test]
    fn explicit_ticks() {
        assert_eq!(
            p("新增项目 ☐ 结转项目 ☐ 经常性专项业务费 ☑ 其他经常性项目 ☐"),
            Choice::Ticked(vec!["经常性专项业务费".into()])
        );
        assert_eq!(
            p("☐甲 \u{F052}乙 ☑丙"),
            Choice::Ticked(vec!["乙".into(), "丙".into()])
        );
    }

    #[test]
    fn the_one_without_a_box_is_inferred() {
        assert_eq!(
            p("专项资金□  经常性项目  一次性项目□"),
            Choice::Inferred("经常性项目".into())
        );
        assert_eq!(
            p("专项资金□ 经常性项目□ 一次性项目"),
            Choice::Inferred("一次性项目".into())
        );
    }

    #[test]
    fn plain_and_empty() {
        assert_eq!(p("其他经常性项目"), Choice::Plain("其他经常性项目".into()));
        assert_eq!(p("甲□ 乙□"), Choice::NoneTicked);
    }
}
