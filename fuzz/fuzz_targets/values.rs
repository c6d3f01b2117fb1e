//! The value parsers on any cell text: no panic, and a measure's value is a
//! finite number when there is one.
#![no_main]

use formsift_values as v;

libfuzzer_sys::fuzz_target!(|text: &str| {
    let config = formsift_fuzz::config();
    let m = v::parse_measure(text, &config.values);
    if let Some(x) = m.value {
        assert!(x.is_finite(), "{text:?} gave value {x}");
    }
    let _ = (
        v::parse_amount(text),
        v::parse_percent(text),
        v::parse_date(text),
    );
    let _ = (v::parse_year(text), v::parse_int(text), v::fold(text));
    let _ = v::parse_choice(text, &config.notation.ticked, &config.notation.unticked);
    let _ = v::split_ordinal(text, &config.indicators.ordinal);
});
