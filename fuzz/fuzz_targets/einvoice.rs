#![no_main]
//! `mailroom::fuzzing::einvoice` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom::fuzzing::einvoice(data));
