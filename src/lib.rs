//! mailroom: a digital mailroom. Documents flow one way through the stages:
//!
//! ```text
//! intake → document → pages → ocr → layout → classify → extract   (pipeline)
//!        → archive (+ audit trail) → handoff                         (processor)
//! ```
//!
//! Each stage is a module with one job. [`pipeline`] runs the reading stages and stores
//! nothing; [`processor`] takes its result into the [`archive`] (on a [`store`]: a local
//! folder or an S3 bucket with Object Lock), logs every write in the hash-chained
//! [`audit`] trail, writes the ERP [`handoff`] and mirrors the index into the SQL [`catalog`].
//! [`queue`] and [`worker`] run the same
//! processor behind RabbitMQ; [`intake`] brings documents in (files, e-mails with their
//! attachments, a scanner's hot folder, HTTP uploads); [`cli`] is the command line; [`config`]
//! reads the pipeline file.

pub mod archive;
pub mod audit;
pub mod catalog;
pub mod classify;
pub mod cli;
pub mod config;
pub mod document;
pub mod einvoice;
pub mod eval;
pub mod extract;
pub mod handoff;
pub mod index;
pub mod intake;
pub mod layout;
pub mod models;
pub mod ocr;
pub mod pages;
pub mod pipeline;
pub mod processor;
pub mod queue;
pub mod store;
pub mod worker;
