//! Integration tests of formsift (one binary; modules by concern).
