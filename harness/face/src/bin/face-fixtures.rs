//! Regenerates the card-photo fixtures: fixtures/faces/<id>.jp2 (as stored on the card) and a .png
//! beside it, for every person in fixtures/people.toml who has a photo on the card.

use std::path::PathBuf;

use clap::Parser;
use harness_face::people::{parse_people, Date, FIXTURE_DATE};
use harness_face::photo::{
    decode_card_photo, encode_card_photo, render_card_photo, CARD_PHOTO_RATE,
};

#[derive(Parser)]
#[command(about = "Write the synthetic card photos (JPEG 2000 + PNG) for fixtures/people.toml")]
struct Args {
    /// The people fixtures.
    #[arg(long, default_value = "fixtures/people.toml")]
    people: PathBuf,
    /// Output folder.
    #[arg(long, default_value = "fixtures/faces")]
    out: PathBuf,
    /// Date the ages are computed on (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let today = match &args.as_of {
        Some(text) => Date::parse(text).ok_or("--as-of must be YYYY-MM-DD")?,
        None => FIXTURE_DATE,
    };
    let people = parse_people(&std::fs::read_to_string(&args.people)?)?;
    std::fs::create_dir_all(&args.out)?;
    for person in &people {
        let Some(age) = person.card_photo_age(&today) else {
            println!("{}: under 1 on the card, no photo", person.id);
            continue;
        };
        let photo = render_card_photo(&person.identity(), age);
        let jp2 = encode_card_photo(&photo, CARD_PHOTO_RATE)?;
        // Check the file decodes before writing it.
        let decoded = decode_card_photo(&jp2)?;
        let jp2_path = args.out.join(format!("{}.jp2", person.id));
        let png_path = args.out.join(format!("{}.png", person.id));
        write_atomic(&jp2_path, &jp2)?;
        decoded.save(&png_path)?;
        println!(
            "{}: age {:.1}, {}x{}, {} bytes -> {}",
            person.id,
            age,
            photo.width(),
            photo.height(),
            jp2.len(),
            jp2_path.display()
        );
    }
    Ok(())
}

fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("jp2.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
