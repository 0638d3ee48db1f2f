//! Rendering [`ReportData`] as one self-contained HTML page.

use std::fmt::Write;

use super::charts::{bars, s_curve};
use super::diff::{DiffPiece, word_diff};
use super::{ReportData, Sample};

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1040px;margin:0 auto;padding:28px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 10px}
.muted{color:#667085}.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
.card{background:#fff;border:1px solid #e4e7ec;border-radius:10px;padding:12px 14px}
.card b{display:block;font-size:22px}.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.panel{background:#fff;border:1px solid #e4e7ec;border-radius:10px;padding:12px 14px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f3}
svg{width:100%;height:auto}.axis{stroke:#98a2b3}.curve{fill:none;stroke:#2e90fa;stroke-width:2.5}
.threshold{stroke:#f04438;stroke-dasharray:4 3}.bar{fill:#2e90fa}.label,.tick,.note{font-size:11px;fill:#475467}
.note{fill:#f04438}.text{white-space:pre-wrap;background:#fbfcfd;border:1px solid #eef0f3;border-radius:6px;
padding:8px 10px;font-size:13px;max-height:220px;overflow:auto}
del{background:#fee4e2;color:#b42318}ins{background:#d1fadf;color:#05603a;text-decoration:none}
.cluster{background:#fff;border:1px solid #e4e7ec;border-radius:10px;padding:12px 14px;margin:0 0 14px}
.tag{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;background:#eef4ff;color:#3538cd}
";

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn card(out: &mut String, label: &str, value: &str) {
    let _ = write!(
        out,
        r#"<div class="card"><span class="muted">{label}</span><b>{value}</b></div>"#
    );
}

/// The first `words` words of `text`, for display.
fn head_words(text: &str, words: usize) -> String {
    let mut taken: Vec<&str> = text.split_whitespace().take(words + 1).collect();
    let more = taken.len() > words;
    taken.truncate(words);
    let mut head = taken.join(" ");
    if more {
        head.push_str(" …");
    }
    head
}

fn place(sample: &Sample) -> String {
    format!("{}:{}", escape(&sample.file), sample.line)
}

fn similarity_histogram(data: &ReportData) -> String {
    // 20 bins from the threshold (rounded down to 0.05) to 1.
    let low = (data.threshold * 20.0).floor() / 20.0;
    let bins = 20usize;
    let width = (1.0 - low) / bins as f64;
    let mut counts = vec![0u64; bins];
    for &similarity in &data.similarities {
        let bin = (((similarity - low) / width) as usize).min(bins - 1);
        counts[bin] += 1;
    }
    let labels: Vec<String> = (0..bins)
        .map(|bin| format!("{:.2}", low + width * bin as f64))
        .collect();
    bars(&labels, &counts, "verified Jaccard similarity", "pairs")
}

fn size_histogram(data: &ReportData) -> String {
    let edges: [(usize, usize, &str); 8] = [
        (2, 2, "2"),
        (3, 3, "3"),
        (4, 5, "4-5"),
        (6, 10, "6-10"),
        (11, 20, "11-20"),
        (21, 50, "21-50"),
        (51, 100, "51-100"),
        (101, usize::MAX, ">100"),
    ];
    let counts: Vec<u64> = edges
        .iter()
        .map(|&(low, high, _)| {
            data.cluster_sizes
                .iter()
                .filter(|&&size| size >= low && size <= high)
                .count() as u64
        })
        .collect();
    let labels: Vec<String> = edges
        .iter()
        .map(|&(_, _, label)| label.to_owned())
        .collect();
    bars(&labels, &counts, "cluster size (records)", "clusters")
}

fn diff_html(old: &str, new: &str) -> String {
    let mut out = String::new();
    for piece in word_diff(&head_words(old, 300), &head_words(new, 300)) {
        match piece {
            DiffPiece::Same(words) => out.push_str(&escape(&words)),
            DiffPiece::Removed(words) => {
                let _ = write!(out, "<del>{}</del>", escape(&words));
            }
            DiffPiece::Added(words) => {
                let _ = write!(out, "<ins>{}</ins>", escape(&words));
            }
        }
        out.push(' ');
    }
    out
}

/// The whole page.
pub fn render(data: &ReportData) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title><style>{STYLE}</style></head><body><main><h1>{title}</h1><p class="muted">{inputs}</p>"#,
        title = escape(&data.title),
        inputs = escape(&data.inputs.join(", ")),
    );
    let share = if data.records == 0 {
        0.0
    } else {
        100.0 * data.removed as f64 / data.records as f64
    };
    out.push_str(r#"<div class="cards">"#);
    card(&mut out, "records in", &format!("{}", data.records));
    card(&mut out, "records kept", &format!("{}", data.kept));
    card(
        &mut out,
        "removed",
        &format!("{} ({share:.1}%)", data.removed),
    );
    card(
        &mut out,
        "rejected (unreadable)",
        &format!("{}", data.rejected),
    );
    card(&mut out, "bytes in", &megabytes(data.bytes_in));
    card(&mut out, "bytes out", &megabytes(data.bytes_out));
    if let Some((encoding, tokens_in, tokens_out)) = &data.tokens {
        card(
            &mut out,
            &format!("tokens in ({})", escape(encoding)),
            &format!("{tokens_in}"),
        );
        card(&mut out, "tokens out", &format!("{tokens_out}"));
    }
    card(&mut out, "time", &format!("{:.2} s", data.seconds));
    card(
        &mut out,
        "throughput",
        &format!(
            "{:.0} MB/s",
            data.bytes_in as f64 / 1e6 / data.seconds.max(1e-9)
        ),
    );
    out.push_str("</div>");

    let _ = write!(
        out,
        r#"<h2>How duplicates were found</h2><div class="grid"><div class="panel"><table>
<tr><th>threshold (Jaccard)</th><td>{threshold}</td></tr>
<tr><th>shingles</th><td>{shingles}</td></tr>
<tr><th>MinHash slots</th><td>{num_perm}</td></tr>
<tr><th>LSH banding</th><td>{bands} bands × {rows} rows</td></tr>
<tr><th>exact duplicates</th><td>{exact}</td></tr>
<tr><th>LSH candidate pairs</th><td>{candidates}</td></tr>
<tr><th>verified (≥ threshold)</th><td>{verified}</td></tr>
<tr><th>rejected by verification</th><td>{rejected_pairs}</td></tr>
<tr><th>clusters</th><td>{clusters}</td></tr>
</table></div><div class="panel"><b>S-curve</b> <span class="muted">probability that a pair becomes a candidate</span>{curve}</div></div>"#,
        threshold = data.threshold,
        shingles = escape(&data.shingles),
        num_perm = data.num_perm,
        bands = data.bands,
        rows = data.rows,
        exact = data.exact_duplicates,
        candidates = data.candidates,
        verified = data.verified,
        rejected_pairs = data.candidates.saturating_sub(data.verified),
        clusters = data.cluster_sizes.len(),
        curve = s_curve(data.bands, data.rows, data.threshold),
    );
    let _ = write!(
        out,
        r#"<div class="grid" style="margin-top:16px"><div class="panel"><b>Verified similarities</b> <span class="muted">near duplicates, exact duplicates excluded</span>{}</div><div class="panel"><b>Cluster sizes</b>{}</div></div>"#,
        similarity_histogram(data),
        size_histogram(data),
    );

    out.push_str("<h2>Largest clusters</h2>");
    if data.largest.is_empty() {
        out.push_str(r#"<p class="muted">No cluster: no two records reached the threshold.</p>"#);
    }
    for cluster in &data.largest {
        let _ = write!(
            out,
            r#"<div class="cluster"><span class="tag">cluster {} · {} records</span><p><b>kept</b> <span class="muted">{}</span></p><div class="text">{}</div>"#,
            cluster.cluster,
            cluster.size,
            place(&cluster.survivor),
            escape(&head_words(&cluster.survivor.text, 300)),
        );
        for member in &cluster.members {
            let _ = write!(
                out,
                r#"<p><b>removed</b> <span class="muted">{} · similarity {:.3}</span></p><div class="text">{}</div>"#,
                place(member),
                member.similarity,
                diff_html(&cluster.survivor.text, &member.text),
            );
        }
        out.push_str("</div>");
    }
    out.push_str(r#"<p class="muted">Generated by tamis. Removed text is shown against the kept record: <del>only in the kept record</del> <ins>only in the removed one</ins>.</p></main></body></html>"#);
    out
}

#[cfg(test)]
mod tests {
    use super::super::ClusterSample;
    use super::*;

    #[test]
    fn page_is_self_contained_and_escapes_text() {
        let sample = |text: &str, similarity| Sample {
            file: "a.jsonl".into(),
            line: 3,
            text: text.into(),
            similarity,
        };
        let data = ReportData {
            title: "tamis dedup <report>".into(),
            records: 10,
            kept: 8,
            removed: 2,
            threshold: 0.8,
            tokens: Some(("o200k_base".into(), 1000, 800)),
            bands: 14,
            rows: 9,
            similarities: vec![0.85, 0.9, 1.0],
            cluster_sizes: vec![2, 3],
            largest: vec![ClusterSample {
                cluster: 0,
                size: 3,
                survivor: sample("a <b> c", 1.0),
                members: vec![sample("a <b> d", 0.9)],
            }],
            ..ReportData::default()
        };
        let page = render(&data);
        assert!(page.starts_with("<!doctype html>"));
        assert!(
            !page.contains("http://") && !page.contains("https://") && !page.contains("<script")
        );
        assert!(page.contains("tamis dedup &lt;report&gt;"));
        assert!(page.contains("<del>c</del>") && page.contains("<ins>d</ins>"));
        assert!(page.contains("14 bands × 9 rows"));
        assert_eq!(page.matches("<svg").count(), 3);
        assert!(page.contains("tokens in (o200k_base)") && page.contains("<b>800</b>"));
    }
}
