//! The data that flows between formsift's stages, and nothing else.
//!
//! Two families of types live here. The *document model* ([`Document`],
//! [`Line`], [`Cell`], [`Notation`]) is what the normalise stage produces from
//! any input notation: numbered input lines, each split into cells with a
//! column index and clean text. The *record model* ([`Record`], [`Indicator`],
//! [`Measure`], [`Funds`], [`Check`], …) is what extraction fills and
//! validation scores: one record per form, as `RECORD.md` specifies. This crate
//! holds no logic beyond small constructors and serialisation; it must not
//! depend on any parser, on configuration, or know how records are written.

mod document;
mod notations;
mod record;

pub use document::{
    Area, Cell, Document, Grid, GridRow, Layout, Line, LineIndex, Merge, Notation, Place,
    column_letters, has_space, may_hold_space, may_start_space, own_key, squeeze, trim, trim_start,
    utf8_len, words,
};
pub use notations::Notations;
pub use record::{
    Alternative, BudgetRow, Check, FieldValue, Fields, Funds, Indicator, Measure, Part, Record,
    Residue, Scalar, Source, Task, TotalScore,
};
