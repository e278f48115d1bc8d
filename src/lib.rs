//! mailroom: a digital mailroom. Documents flow one way through the stages:
//!
//! ```text
//! intake → document (+ mail) → pages → ocr → layout → classify → extract (+ models)   pipeline: reads, stores nothing
//!        → pdfa (rendered by the pipeline)
//!        → archive (+ audit, retention, store) → handoff → catalog                     processor: stores, in one order
//! ```
//!
//! Each stage is a module with one job, and imports only stages before it (a test,
//! `tests/architecture.rs`, keeps the module graph free of cycles). [`vocab`] is the shared
//! vocabulary (fields, document ids, check names); [`index`] the record every consumer
//! reads. [`pipeline`] runs the reading stages and stores nothing; [`processor`] takes its
//! result into the [`archive`] (on a [`store`]: a local folder or an S3 bucket with Object
//! Lock) through its `Recorder`, the one place that writes a document's records in order:
//! artefacts, the hash-chained [`audit`] entry, the index revision, the ERP [`handoff`], the
//! SQL [`catalog`] row. [`queue`] and [`worker`] run the same processor behind RabbitMQ;
//! [`intake`] brings documents in (files, a scanner's hot folder, HTTP uploads; e-mails are
//! read by [`mail`]); [`config`] reads the pipeline file and wires the parts; [`training`]
//! fits and measures the models (nothing at run time imports it); [`cli`] is the command line.
// Untrusted text is cut only where a character ends: `str::get`, or offsets that a match on
// the same text produced (each such function says so with an `allow`).
#![deny(clippy::string_slice)]
// Tests cut their own fixed texts.
#![cfg_attr(test, allow(clippy::string_slice))]

pub mod archive;
pub mod audit;
pub mod catalog;
pub mod classify;
pub mod cli;
pub mod config;
pub mod document;
pub mod due;
pub mod duplicate;
pub mod einvoice;
pub mod extract;
pub mod fuzzing;
pub mod handoff;
pub mod index;
pub mod intake;
pub mod layout;
pub mod limits;
pub mod lists;
pub mod mail;
pub mod models;
pub mod ocr;
pub mod orders;
pub mod pages;
pub mod pdfa;
pub mod people;
pub mod pipeline;
pub mod processor;
pub mod queue;
pub mod redact;
pub mod reprocess;
pub mod resubmit;
pub mod retention;
pub mod review;
pub mod search;
pub mod split;
pub mod sqldb;
pub mod stamps;
pub mod store;
pub mod training;
pub mod vocab;
pub mod web;
pub mod worker;
