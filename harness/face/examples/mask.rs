//! Writes the matcher's skin mask of a PNG: `cargo run -p harness-face --example mask -- in.png out.png`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let img = image::open(args.get(1).ok_or("in.png")?)?.to_rgb8();
    harness_face::matching::skin_mask_image(&img, &Default::default())
        .save(args.get(2).ok_or("out.png")?)?;
    Ok(())
}
