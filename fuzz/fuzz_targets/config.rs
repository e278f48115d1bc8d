#![no_main]
//! `mailroom::fuzzing::config` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom::fuzzing::config(data));
