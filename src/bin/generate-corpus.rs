//! Writes a synthetic raw corpus for benchmarks and soak tests, deterministic for a seed: speeches
//! assembled from the bundled sample's paragraphs and headings, with headers (title, byline, date
//! line, salutation), numbered sections, web-page noise, exact and noisy copies, some GB18030 files
//! and CRLF line ends.
//!
//! Usage: generate-corpus --mb 100 [--seed 1] [--raw raw] --out DIR

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Megabytes of raw text to write (approximately).
    #[arg(long)]
    mb: f64,
    /// Seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder of sample files to take paragraphs from.
    #[arg(long, default_value = "raw")]
    raw: PathBuf,
    /// Folder to write the corpus into (created; must be empty or missing).
    #[arg(long)]
    out: PathBuf,
}

const HAN_NUMBERS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
const PLACES: [&str; 8] = [
    "三门峡市",
    "南通市",
    "郑州市",
    "江苏省",
    "渑池县",
    "义马市",
    "洛阳市",
    "河南省",
];
const ROLES: [&str; 5] = [
    "市直工委书记",
    "市委副书记",
    "机关党委专职副书记",
    "市委组织部部长",
    "县直工委书记",
];
const NAMES: [&str; 6] = ["王建国", "李明", "张华", "刘小英", "陈静", "赵志刚"];
const OCCASIONS: [&str; 4] = [
    "机关党建工作会议",
    "党风廉政建设工作会议",
    "机关党建工作座谈会",
    "组织工作会议",
];

/// What the sample gives to build from.
struct Material {
    body: Vec<String>,
    headings: Vec<String>,
    items: Vec<String>,
}

fn material(raw: &Path) -> std::io::Result<Material> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(raw)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let (mut body, mut headings, mut items) = (Vec::new(), Vec::new(), Vec::new());
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text
            .lines()
            .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}'))
        {
            let chars = line.chars().count();
            if let Some(marker) = pipeline::outline::parse_marker(line) {
                let rest: String = line[marker.text.len()..].to_string();
                if marker.family.is_run_in() {
                    items.push(rest.split('。').next().unwrap_or("").to_string());
                } else if chars < 60 {
                    headings.push(rest);
                }
            } else if chars > 60 {
                body.push(line.replace("##paidbegin##", "").replace("##paidend##", ""));
            }
        }
    }
    Ok(Material {
        body,
        headings,
        items,
    })
}

fn speech(rng: &mut fastrand::Rng, m: &Material, serial: u64) -> String {
    let mut lines = Vec::new();
    let occasion = OCCASIONS[rng.usize(..OCCASIONS.len())];
    let year = 2012 + rng.u32(..12);
    if rng.bool() {
        lines.push(format!(
            "{}{}同志",
            ROLES[rng.usize(..ROLES.len())],
            NAMES[rng.usize(..NAMES.len())]
        ));
    }
    // A title broken over two lines now and then.
    let title = format!(
        "在{}{}年{}上的讲话",
        PLACES[rng.usize(..PLACES.len())],
        year,
        occasion
    );
    if rng.u8(..4) == 0 {
        let cut = title
            .char_indices()
            .nth(title.chars().count() / 2)
            .map_or(0, |(i, _)| i);
        lines.push(title[..cut].to_string());
        lines.push(title[cut..].to_string());
    } else {
        lines.push(title);
    }
    lines.push(format!(
        "（{}年{}月{}日）",
        year,
        1 + rng.u32(..12),
        1 + rng.u32(..28)
    ));
    lines.push("同志们：".into());
    lines.push(format!(
        "今天我们召开{occasion}，编号{serial}。{}",
        m.body[rng.usize(..m.body.len())]
    ));
    for top in HAN_NUMBERS.iter().take(2 + rng.usize(..4)) {
        lines.push(format!(
            "{}、{}",
            top,
            m.headings[rng.usize(..m.headings.len())]
        ));
        for item in HAN_NUMBERS.iter().take(rng.usize(..4)) {
            let lead = format!("{}是{}。", item, m.items[rng.usize(..m.items.len())]);
            lines.push(format!("{lead}{}", m.body[rng.usize(..m.body.len())]));
        }
        for _ in 0..1 + rng.usize(..3) {
            lines.push(m.body[rng.usize(..m.body.len())].clone());
        }
    }
    lines.push(format!("同志们，{}", m.body[rng.usize(..m.body.len())]));
    lines.join("\n")
}

/// Web-page noise, CRLF and full-width indentation around the same text.
fn noisy(text: &str, rng: &mut fastrand::Rng) -> String {
    let mut out = String::from("首页>学习之窗\r\n");
    out.push_str(&format!(
        "来源:市委市级机关工委 发布时间:2023-0{}-1{} 阅读次数: 字体:[ ]\r\n",
        1 + rng.u8(..9),
        rng.u8(..10)
    ));
    out.push_str("未标题-1.jpg\r\n");
    for line in text.lines() {
        out.push_str(&format!("\u{3000}\u{3000}{line}\r\n\r\n"));
    }
    out.push_str("本文系作者原创投稿，仅供学习参考，请勿照搬照抄！\r\n");
    out
}

fn main() -> ExitCode {
    let args = Args::parse();
    let m = match material(&args.raw) {
        Ok(m) if !m.body.is_empty() && !m.headings.is_empty() && !m.items.is_empty() => m,
        _ => {
            eprintln!(
                "error: {}: no sample texts to build from",
                args.raw.display()
            );
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let target = (args.mb * 1e6) as u64;
    let (mut written, mut files) = (0u64, 0u64);
    let mut previous = String::new();
    while written < target {
        let folder = format!("{:03}", files / 1000);
        let dir = args.out.join(&folder);
        if files.is_multiple_of(1000)
            && let Err(e) = std::fs::create_dir_all(&dir)
        {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        // One file in 20 is an exact copy of the previous speech, one in 20 a noisy copy.
        let text = match rng.u8(..20) {
            0 if !previous.is_empty() => previous.clone(),
            1 if !previous.is_empty() => noisy(&previous, &mut rng),
            _ => speech(&mut rng, &m, files),
        };
        let bytes = if rng.u8(..10) == 0 {
            encoding_rs::GB18030.encode(&text).0.into_owned()
        } else if rng.u8(..10) == 0 {
            text.replace('\n', "\r\n").into_bytes()
        } else {
            text.clone().into_bytes()
        };
        let path = dir.join(format!("speech_{files:07}.txt"));
        if let Err(e) = std::fs::write(&path, &bytes) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        written += bytes.len() as u64;
        files += 1;
        if !text.starts_with("首页") {
            previous = text;
        }
    }
    eprintln!(
        "{files} files, {:.1} MB in {}",
        written as f64 / 1e6,
        args.out.display()
    );
    ExitCode::SUCCESS
}
