//! Small inline SVG charts (no scripts, no external resources).

use std::fmt::Write;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 32.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 16.0;

fn x_of(value: f64, min: f64, max: f64) -> f64 {
    LEFT + (value - min) / (max - min).max(f64::MIN_POSITIVE) * (WIDTH - LEFT - RIGHT)
}

fn y_of(value: f64, max: f64) -> f64 {
    HEIGHT - BOTTOM - value / max.max(f64::MIN_POSITIVE) * (HEIGHT - BOTTOM - TOP)
}

fn frame(svg: &mut String, x_label: &str, y_label: &str) {
    let _ = write!(
        svg,
        r#"<line x1="{LEFT}" y1="{b}" x2="{r}" y2="{b}" class="axis"/><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b}" class="axis"/><text x="{cx}" y="{ly}" class="label">{x_label}</text><text x="12" y="{cy}" class="label" transform="rotate(-90 12 {cy})">{y_label}</text>"#,
        b = HEIGHT - BOTTOM,
        r = WIDTH - RIGHT,
        cx = (LEFT + WIDTH - RIGHT) / 2.0,
        ly = HEIGHT - 4.0,
        cy = (TOP + HEIGHT - BOTTOM) / 2.0,
    );
}

/// P(candidate | similarity) for the chosen banding, with the threshold marked.
pub fn s_curve(bands: usize, rows: usize, threshold: f64) -> String {
    let mut svg =
        format!(r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="LSH S-curve">"#);
    frame(&mut svg, "Jaccard similarity", "P(candidate)");
    let points: Vec<String> = (0..=100)
        .map(|step| {
            let s = f64::from(step) / 100.0;
            let p = 1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32);
            format!("{:.1},{:.1}", x_of(s, 0.0, 1.0), y_of(p, 1.0))
        })
        .collect();
    let _ = write!(
        svg,
        r#"<polyline points="{}" class="curve"/>"#,
        points.join(" ")
    );
    let x = x_of(threshold, 0.0, 1.0);
    let _ = write!(
        svg,
        r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{b}" class="threshold"/><text x="{tx:.1}" y="{ty}" class="note">threshold {threshold}</text>"#,
        b = HEIGHT - BOTTOM,
        tx = x + 4.0,
        ty = TOP + 12.0,
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="tick">{tick}</text><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{tick}</text>"#,
            x_of(tick, 0.0, 1.0) - 8.0,
            HEIGHT - BOTTOM + 14.0,
            LEFT - 4.0,
            y_of(tick, 1.0) + 4.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A bar chart of `counts` labelled by `labels`.
pub fn bars(labels: &[String], counts: &[u64], x_label: &str, y_label: &str) -> String {
    let mut svg = format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{y_label} by {x_label}">"#
    );
    frame(&mut svg, x_label, y_label);
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / counts.len().max(1) as f64;
    for (index, (&count, label)) in counts.iter().zip(labels).enumerate() {
        let x = LEFT + index as f64 * slot;
        let y = y_of(count as f64, max);
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" class="bar"><title>{label}: {count}</title></rect>"#,
            x + slot * 0.1,
            slot * 0.8,
            HEIGHT - BOTTOM - y,
        );
        if counts.len() <= 12 || index % (counts.len() / 10).max(1) == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{label}</text>"#,
                x + slot / 2.0,
                HEIGHT - BOTTOM + 14.0
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text></svg>"#,
        LEFT - 4.0,
        TOP + 8.0,
        max as u64
    );
    svg
}
