#![no_main]
//! `mailroom::fuzzing::image` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom::fuzzing::image(data));
