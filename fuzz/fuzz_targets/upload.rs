#![no_main]
//! `mailroom::fuzzing::upload` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom::fuzzing::upload(data));
