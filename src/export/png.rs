//! PNG encoding of 8-bit RGB pixels, for chart exports and workbench screenshots.

/// `rgb` (`width × height × 3` bytes, rows top to bottom) as a PNG file.
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, String> {
    let expected = width as usize * height as usize * 3;
    if rgb.len() != expected {
        return Err(format!(
            "{} bytes of pixels for a {width}×{height} RGB image (expected {expected})",
            rgb.len()
        ));
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(rgb))
        .map_err(|e| e.to_string())?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_round_trip_through_a_decoder() {
        // 2 × 1: a red and a blue pixel.
        let rgb = [255, 0, 0, 0, 0, 255];
        let bytes = encode_rgb(2, 1, &rgb).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut out = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut out).unwrap();
        assert_eq!((info.width, info.height), (2, 1));
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(&out[..info.buffer_size()], &rgb);
    }

    #[test]
    fn a_wrong_pixel_count_is_an_error_not_a_panic() {
        let err = encode_rgb(2, 2, &[0; 5]).unwrap_err();
        assert!(err.contains("expected 12"), "{err}");
    }
}
