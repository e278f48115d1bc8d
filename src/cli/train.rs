//! `mailroom train`: fits the trained models on the generated corpus (and corrections) and
//! writes them, with their model card, to `models/`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::training::train::{self, Options};

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The generated corpus (scripts/corpus/generate.py --out).
    #[arg(long, default_value = "target/corpus")]
    pub corpus: PathBuf,
    /// Read pages are cached here (OCR once per document).
    #[arg(long, default_value = "target/pages-cache")]
    pub cache: PathBuf,
    /// Where the model files and the model card go.
    #[arg(long, default_value = "models")]
    pub out: PathBuf,
    /// Reviewed documents to learn from: a JSON Lines file of corrections or an archive folder
    /// (repeatable; see src/models/train.rs).
    #[arg(long)]
    pub corrections: Vec<PathBuf>,
    /// Corpus variants to read: scans (OCR), digital (text layer), or both.
    #[arg(long, value_delimiter = ',', default_value = "digital,scans")]
    pub variants: Vec<String>,
    /// Also evaluate on these real scans (never trained on), e.g. target/scans.
    #[arg(long)]
    pub eval: Option<PathBuf>,
    /// Real till receipts with key files (`../shared/data/receipts-sroie`): the development
    /// part is trained on, the held-out quarter only measured; with --card-only, the shipped
    /// models are measured on both and the card written again.
    #[arg(long)]
    pub receipts: Option<PathBuf>,
    /// Only read the corpus (and --eval) into the page cache: the OCR, done once.
    #[arg(long)]
    pub prepare: bool,
    /// Only write MODEL_CARD.md again from the models' metrics.json.
    #[arg(long)]
    pub card_only: bool,
}

pub fn train(args: TrainArgs) -> ExitCode {
    let card = args.card_only;
    let opts = Options {
        corpus: args.corpus,
        cache: args.cache,
        out: args.out,
        corrections: args.corrections,
        variants: args.variants,
        eval_dir: args.eval,
        prepare_only: args.prepare,
        receipts_dir: args.receipts,
    };
    let result = if card { train::card_only(&opts) } else { train::run(&opts) };
    rayon::broadcast(|_| crate::ocr::release_engines());
    match result {
        Ok(_) if opts.prepare_only => ExitCode::SUCCESS,
        Ok(m) => {
            eprintln!("mailroom train: done in {:.0} s of fitting; models and MODEL_CARD.md in {}", m.train_seconds, opts.out.display());
            print!("{}", crate::training::card::summary(&m));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mailroom: training failed: {e}");
            ExitCode::from(1)
        }
    }
}
