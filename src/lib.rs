//! mailroom: a digital mailroom. Documents flow one way through the stages:
//!
//! intake → document → pages → ocr → layout → classify → extract → archive
//!
//! Each stage is a module with one job; [`pipeline`] wires them together and
//! [`cli`] is the command line around it.

pub mod archive;
pub mod classify;
pub mod document;
pub mod extract;
pub mod index;
pub mod layout;
pub mod ocr;
pub mod pages;
pub mod cli;
pub mod intake;
pub mod pipeline;
pub mod eval;
pub mod einvoice;
