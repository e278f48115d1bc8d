#![no_main]
//! `mailroom::fuzzing::pdf` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom::fuzzing::pdf(data));
