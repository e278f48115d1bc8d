#![no_main]
//! `mailroom::fuzzing::email` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom::fuzzing::email(data));
