//! Finding the raw files and turning their bytes into text. Encoding is detected from the bytes
//! (byte-order mark, UTF-8 validity, then chardetng's statistics), never from the file name.

use std::path::{Path, PathBuf};

use encoding_rs::Encoding;

use crate::error::{Error, Result};

/// A raw file found under the raw folder.
#[derive(Debug, Clone)]
pub struct RawFile {
    pub path: PathBuf,
    /// Path relative to the raw folder with `/` separators: the file's name in every table.
    pub name: String,
}

/// A listing problem that concerns one entry, not the whole run (a symlink loop, an unreadable folder).
#[derive(Debug, Clone)]
pub struct ListingProblem {
    pub name: String,
    pub reason: String,
}

/// Checks, before anything is created, that the raw folder is there, is a folder and holds
/// something: a wrong path must not leave an output folder behind, nor make an empty dataset.
pub fn check_raw_folder(root: &Path) -> Result<()> {
    let problem = |reason: String| Error::BadFile {
        path: root.into(),
        reason,
    };
    let looked_in = match std::env::current_dir() {
        Ok(cwd) if root.is_relative() => format!(" (looked for it in {})", cwd.display()),
        _ => String::new(),
    };
    match std::fs::metadata(root) {
        Err(e) => Err(problem(format!(
            "no raw folder{looked_in}: {e}; give the folder of text files with --raw DIR or the setting run.raw_dir"
        ))),
        Ok(meta) if !meta.is_dir() => Err(problem("the raw folder is not a folder".into())),
        Ok(_) => {
            let mut entries = std::fs::read_dir(root).map_err(|e| Error::io(root, e))?;
            match entries.next() {
                None => Err(problem(
                    "the raw folder is empty: put the text files to turn into a dataset in it"
                        .into(),
                )),
                Some(_) => Ok(()),
            }
        }
    }
}

/// Every file under `root`, sorted by name, following symlinks (loops are reported, not followed).
pub fn list_raw_files(root: &Path) -> Result<(Vec<RawFile>, Vec<ListingProblem>)> {
    let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::BadFile {
            path: root.into(),
            reason: "the raw folder is not a folder".into(),
        });
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let name = relative_name(root, entry.path());
                files.push(RawFile {
                    path: entry.path().to_path_buf(),
                    name,
                });
            }
            Ok(_) => {}
            Err(err) => {
                let name = err
                    .path()
                    .map(|p| relative_name(root, p))
                    .unwrap_or_else(|| "?".into());
                let reason = if err.loop_ancestor().is_some() {
                    "symlink loop: not followed".to_string()
                } else {
                    format!(
                        "cannot be read: {}",
                        err.io_error().map(|e| e.to_string()).unwrap_or_default()
                    )
                };
                problems.push(ListingProblem { name, reason });
            }
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((files, problems))
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Text decoded from a raw file.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// Name of the encoding found, such as "UTF-8", "UTF-8 BOM", "UTF-16LE BOM", "GB18030".
    pub encoding: String,
}

/// Bytes of a file that is not UTF-8 given to the encoding detector.
const DETECTION_SAMPLE: usize = 4096;

/// Decodes raw bytes, or says why they are not text.
pub fn decode(bytes: &[u8]) -> std::result::Result<Decoded, String> {
    decode_as(bytes, None)
}

/// Decodes raw bytes as [`decode`] does; a text that is neither marked nor UTF-8 is read as
/// `known` if given (the encoding an earlier pass over the same bytes detected), else detected.
pub fn decode_as(
    bytes: &[u8],
    known: Option<&'static Encoding>,
) -> std::result::Result<Decoded, String> {
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let text = encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom_len..])
            .ok_or_else(|| format!("invalid {} after its byte-order mark", encoding.name()))?;
        return checked(text.into_owned(), format!("{} BOM", encoding.name()));
    }
    if let Some((format, document)) = file_format(bytes) {
        let hint = if document {
            ": save it as text (.txt) first"
        } else {
            ""
        };
        return Err(format!("binary file: {format}, not text{hint}"));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return checked(text.to_string(), "UTF-8".into());
    }
    if bytes.contains(&0) {
        if let Some(encoding) = utf16_without_bom(bytes)
            && let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes)
        {
            return checked(text.into_owned(), encoding.name().to_string());
        }
        return Err("binary file: NUL bytes and not UTF-16 text".into());
    }
    let encoding = known.unwrap_or_else(|| detect(bytes));
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| {
            format!(
                "not valid text in any supported encoding (best guess {})",
                encoding.name()
            )
        })?;
    checked(text.into_owned(), encoding.name().to_string())
}

/// The format a file's first bytes announce, for files that are not text, and whether it is a
/// document that could be saved as text.
fn file_format(bytes: &[u8]) -> Option<(&'static str, bool)> {
    let signatures: [(&[u8], &str, bool); 6] = [
        (b"%PDF-", "a PDF file", true),
        (
            b"PK\x03\x04",
            "a Word (.docx), other Office or zip file",
            true,
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an old Word (.doc) or other Office file",
            true,
        ),
        (b"\x89PNG", "a PNG image", false),
        (b"\xFF\xD8\xFF", "a JPEG image", false),
        (b"GIF8", "a GIF image", false),
    ];
    signatures
        .iter()
        .find(|(signature, _, _)| bytes.starts_with(signature))
        .map(|(_, format, document)| (*format, *document))
}

/// UTF-16 written without a byte-order mark, told by its line breaks (a line feed or carriage
/// return is `0A 00` in UTF-16LE and `00 0A` in UTF-16BE, and the other order is a rare
/// character), or in a text of one line by where its NUL bytes fall (ASCII has a NUL as its second
/// byte in UTF-16LE, as its first in UTF-16BE; Han characters mostly have none).
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(DETECTION_SAMPLE * 4)];
    let (mut breaks_le, mut breaks_be, mut nul_first, mut nul_second) = (0, 0, 0, 0);
    for pair in sample.chunks_exact(2) {
        let line_break = |b: u8| b == b'\n' || b == b'\r';
        breaks_le += usize::from(line_break(pair[0]) && pair[1] == 0);
        breaks_be += usize::from(pair[0] == 0 && line_break(pair[1]));
        nul_first += usize::from(pair[0] == 0);
        nul_second += usize::from(pair[1] == 0);
    }
    let pairs = sample.len() / 2;
    let one_sided = |many: usize, few: usize| many * 100 >= pairs && many >= few * 5;
    match () {
        _ if breaks_le > 0 && breaks_be == 0 => Some(encoding_rs::UTF_16LE),
        _ if breaks_be > 0 && breaks_le == 0 => Some(encoding_rs::UTF_16BE),
        _ if breaks_le + breaks_be == 0 && one_sided(nul_second, nul_first) => {
            Some(encoding_rs::UTF_16LE)
        }
        _ if breaks_le + breaks_be == 0 && one_sided(nul_first, nul_second) => {
            Some(encoding_rs::UTF_16BE)
        }
        _ => None,
    }
}

/// The encoding of text that is neither marked nor UTF-8, as chardetng guesses it. chardetng
/// reads about 5 MB/s; its guess is settled long before 4 KB of Chinese text (some 2,000
/// characters), so it sees at most that much, from the first byte that is not ASCII (a long ASCII
/// header would tell it nothing).
fn detect(bytes: &[u8]) -> &'static Encoding {
    let start = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let end = bytes.len().min(start + DETECTION_SAMPLE);
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(&bytes[start..end], end == bytes.len());
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    // encoding_rs's GBK decoder reads all of GB18030; name it by the superset.
    match encoding == encoding_rs::GBK {
        true => encoding_rs::GB18030,
        false => encoding,
    }
}

/// Refuses decoded text that is really binary data or mis-decoded bytes.
fn checked(text: String, encoding: String) -> std::result::Result<Decoded, String> {
    let mut chars = 0usize;
    let mut control = 0usize;
    let mut han = 0usize;
    let mut latin_high = 0usize;
    for c in text.chars() {
        chars += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}') {
            control += 1;
        }
        if is_han(c) {
            han += 1;
        }
        if ('\u{80}'..='\u{2ff}').contains(&c) {
            latin_high += 1;
        }
    }
    if control * 100 > chars.max(1) {
        return Err(format!(
            "binary file: {control} control characters in {chars} (decoded as {encoding})"
        ));
    }
    // Chinese text wrongly decoded as a Latin or Cyrillic code page shows as a sea of accented letters.
    if han == 0 && latin_high * 5 > chars {
        return Err(format!(
            "undetectable encoding: decoded as {encoding} it is not Chinese text"
        ));
    }
    Ok(Decoded { text, encoding })
}

/// A CJK unified ideograph (the basic block and extension A, plus compatibility ideographs).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_without_a_byte_order_mark_is_read_and_office_files_are_named() {
        let text = "同志们：\r\n今天我们召开一次会议。一、总体要求\n";
        for (encoding, name) in [
            (encoding_rs::UTF_16LE, "UTF-16LE"),
            (encoding_rs::UTF_16BE, "UTF-16BE"),
        ] {
            let bytes: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| match encoding == encoding_rs::UTF_16LE {
                    true => u.to_le_bytes(),
                    false => u.to_be_bytes(),
                })
                .collect();
            let decoded = decode(&bytes).unwrap();
            assert_eq!(
                (decoded.text.as_str(), decoded.encoding.as_str()),
                (text, name)
            );
        }
        let docx = decode(b"PK\x03\x04\x14\x00\x06\x00").unwrap_err();
        assert!(
            docx.contains("Word (.docx)") && docx.contains("save it as text"),
            "{docx}"
        );
        assert!(
            decode(b"%PDF-1.7\n%\xe2\xe3")
                .unwrap_err()
                .contains("a PDF file")
        );
    }

    const SAMPLE: &str = "同志们：\r\n今天我们召开机关党建工作会议。\r\n";

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode(SAMPLE.as_bytes()).unwrap();
        assert_eq!(plain.encoding, "UTF-8");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(SAMPLE.as_bytes());
        let with_bom = decode(&bom).unwrap();
        assert_eq!(with_bom.encoding, "UTF-8 BOM");
        assert_eq!(with_bom.text, plain.text);
    }

    #[test]
    fn utf16_with_bom() {
        for (bom, little) in [([0xFF, 0xFE], true), ([0xFE, 0xFF], false)] {
            let mut bytes = bom.to_vec();
            for unit in SAMPLE.encode_utf16() {
                let pair = if little {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                };
                bytes.extend_from_slice(&pair);
            }
            let decoded = decode(&bytes).unwrap();
            assert_eq!(decoded.text, SAMPLE);
            assert!(
                decoded.encoding.starts_with("UTF-16"),
                "{}",
                decoded.encoding
            );
        }
    }

    #[test]
    fn gb18030_is_detected() {
        let text = std::fs::read_to_string("raw/002_aa21f67989e96744.txt").unwrap();
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, "gb18030");
        assert_eq!(decoded.text, text);
    }

    /// The detector sees a sample from the first non-ASCII byte: a long ASCII header before GB18030
    /// text, or a long GB18030 text, is still read right.
    #[test]
    fn gb18030_after_a_long_ascii_header_and_in_a_long_file_is_detected() {
        let seed = std::fs::read_to_string("raw/002_aa21f67989e96744.txt").unwrap();
        let header = "Source: http://example.org/archive/2019/speech.html\n".repeat(200);
        for text in [format!("{header}{seed}"), seed.repeat(10)] {
            assert!(text.len() > 2 * DETECTION_SAMPLE);
            let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
            let decoded = decode(&bytes).unwrap();
            assert_eq!(decoded.encoding, "gb18030");
            assert_eq!(decoded.text, text.replace("\r\n", "\n"));
        }
    }

    #[test]
    fn empty_and_binary_are_refused() {
        assert_eq!(decode(b"").unwrap_err(), "empty file");
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
        ];
        assert!(decode(&png).unwrap_err().contains("binary"));
    }
}
