//! Integration tests of formsift: one binary, modules by concern. They run the
//! real `formsift` binary from the workspace root, so paths in records read
//! `samples/…` as in the README.

mod batch;
mod browser;
mod cases;
mod cli;
mod corrections;
mod export;
mod gold;
mod golden;
mod notations;
mod office;
mod pdf;
mod props;
mod review;
mod scripts;
mod support;
