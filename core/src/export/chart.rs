//! Charts computed once: scale, bars and labels as plain marks with
//! coordinates. The HTML report turns them into inline SVG ([`svg`]; the
//! report stays script-free) and the app's window draws the same marks with
//! SVG elements, so both always show the same chart.
//!
//! A suppressed count is drawn as a short hatched bar with the title "—",
//! never as a bar of some height.

use std::fmt::Write as _;

use serde::Serialize;

/// How a text mark is anchored at its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Anchor {
    /// The text starts at the point.
    Start,
    /// The text ends at the point.
    End,
}

/// What a text mark says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TextRole {
    /// An axis or item label.
    Label,
    /// A count.
    Value,
}

/// One element of a chart, in the chart's own units (SVG user units).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Mark {
    /// A bar; `hidden` for a suppressed count (drawn hatched).
    Bar {
        /// Left edge.
        x: f64,
        /// Top edge.
        y: f64,
        /// Width.
        width: f64,
        /// Height.
        height: f64,
        /// Whether the count is suppressed.
        hidden: bool,
        /// Tooltip text: the label and the count (or "—").
        title: String,
    },
    /// A text.
    Text {
        /// Anchor point, left.
        x: f64,
        /// Anchor point, baseline.
        y: f64,
        /// What it says.
        text: String,
        /// How it is anchored.
        anchor: Anchor,
        /// Label or value.
        role: TextRole,
        /// Clockwise rotation in degrees around the anchor point, if any.
        rotate: Option<f64>,
    },
    /// A straight line (the base line of an axis).
    Line {
        /// Start, left.
        x1: f64,
        /// Start, top.
        y1: f64,
        /// End, left.
        x2: f64,
        /// End, top.
        y2: f64,
    },
}

/// A chart: its size and its marks, in drawing order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Chart {
    /// Width in user units.
    pub width: f64,
    /// Height in user units.
    pub height: f64,
    /// The marks.
    pub marks: Vec<Mark>,
}

/// A count as a chart shows it: the number, or "—" when suppressed.
fn shown(count: Option<u64>) -> String {
    count.map_or_else(|| "—".to_owned(), |n| n.to_string())
}

fn label(x: f64, y: f64, text: impl Into<String>, anchor: Anchor) -> Mark {
    Mark::Text {
        x,
        y,
        text: text.into(),
        anchor,
        role: TextRole::Label,
        rotate: None,
    }
}

fn value(x: f64, y: f64, text: String) -> Mark {
    Mark::Text {
        x,
        y,
        text,
        anchor: Anchor::Start,
        role: TextRole::Value,
        rotate: None,
    }
}

/// The largest published count, at least 1 (the scale's top).
fn scale_top(items: &[(String, Option<u64>)]) -> u64 {
    items
        .iter()
        .filter_map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1)
}

/// Vertical bars of calls per week, with a 0 and a top tick and at most
/// about a dozen week labels, one column in two or fewer. With nothing published there is no top tick.
pub fn week_chart(weeks: &[(String, Option<u64>)]) -> Chart {
    let published = weeks.iter().filter_map(|(_, n)| *n).max();
    let max = scale_top(weeks);
    let step = 14.0;
    let (left, top, plot_h) = (40.0, 10.0, 160.0);
    let width = left + step * weeks.len() as f64 + 10.0;
    let height = top + plot_h + 64.0;
    let base = top + plot_h;
    let mut marks = vec![
        Mark::Line {
            x1: left,
            y1: base,
            x2: width - 10.0,
            y2: base,
        },
        label(
            left - 4.0,
            top + 8.0,
            published.map_or_else(String::new, |_| max.to_string()),
            Anchor::End,
        ),
        label(left - 4.0, base, "0", Anchor::End),
    ];
    // At most about a dozen labels, and never two in adjacent columns
    // (rotated labels 14 units apart overlap).
    let every = weeks.len().div_ceil(12).max(2);
    for (i, (name, count)) in weeks.iter().enumerate() {
        let x = left + step * i as f64 + 2.0;
        let h = count.map_or(12.0, |n| plot_h * n as f64 / max as f64);
        marks.push(Mark::Bar {
            x,
            y: base - h,
            width: step - 4.0,
            height: h,
            hidden: count.is_none(),
            title: format!("{name}: {}", shown(*count)),
        });
        if i % every == 0 {
            let y = base + 12.0;
            marks.push(Mark::Text {
                x,
                y,
                text: name.clone(),
                anchor: Anchor::Start,
                role: TextRole::Label,
                rotate: Some(60.0),
            });
        }
    }
    Chart {
        width,
        height,
        marks,
    }
}

/// Horizontal bars, one row per item: the item's label, its bar and its
/// count.
pub fn bar_chart(items: &[(String, Option<u64>)]) -> Chart {
    let max = scale_top(items);
    let (label_w, bar_w, row_h) = (230.0, 380.0, 20.0);
    let mut marks = Vec::with_capacity(items.len() * 3);
    for (i, (name, count)) in items.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        marks.push(label(label_w - 6.0, y + 14.0, name.clone(), Anchor::End));
        let w = count.map_or(24.0, |n| bar_w * n as f64 / max as f64);
        marks.push(Mark::Bar {
            x: label_w,
            y,
            width: w,
            height: row_h - 4.0,
            hidden: count.is_none(),
            title: format!("{name}: {}", shown(*count)),
        });
        marks.push(value(label_w + w + 4.0, y + 14.0, shown(*count)));
    }
    Chart {
        width: label_w + bar_w + 60.0,
        height: row_h * items.len() as f64 + 8.0,
        marks,
    }
}

/// Escape text for HTML and SVG.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `chart` as inline SVG for the HTML report; `id` names its hatch pattern
/// (unique within the page).
pub fn svg(chart: &Chart, id: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <defs><pattern id=\"hatch-{id}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#888\" stroke-width=\"2\"/></pattern></defs>",
        w = chart.width,
        h = chart.height,
    );
    for mark in &chart.marks {
        match mark {
            Mark::Line { x1, y1, x2, y2 } => {
                let _ = write!(
                    out,
                    "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#444\"/>"
                );
            }
            Mark::Bar {
                x,
                y,
                width,
                height,
                hidden,
                title,
            } => {
                let fill = if *hidden {
                    format!("fill=\"url(#hatch-{id})\" stroke=\"#888\"")
                } else {
                    "class=\"bar\"".to_owned()
                };
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" {fill}><title>{}</title></rect>",
                    esc(title)
                );
            }
            Mark::Text {
                x,
                y,
                text,
                anchor,
                role,
                rotate,
            } => {
                let anchor = match anchor {
                    Anchor::Start => "",
                    Anchor::End => " text-anchor=\"end\"",
                };
                let class = match role {
                    TextRole::Label => "lbl",
                    TextRole::Value => "val",
                };
                let rotate = rotate
                    .map(|deg| format!(" transform=\"rotate({deg} {x:.1} {y:.1})\""))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "<text x=\"{x:.1}\" y=\"{y:.1}\"{anchor} class=\"{class}\"{rotate}>{}</text>",
                    esc(text)
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(chart: &Chart) -> Vec<(f64, f64, bool)> {
        chart
            .marks
            .iter()
            .filter_map(|m| match m {
                Mark::Bar {
                    width,
                    height,
                    hidden,
                    ..
                } => Some((*width, *height, *hidden)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn week_bars_scale_to_the_largest_published_count_and_hidden_ones_are_stubs() {
        let weeks = vec![
            ("2026-W01".to_owned(), Some(10)),
            ("2026-W02".to_owned(), Some(5)),
            ("2026-W03".to_owned(), None),
            ("2026-W04".to_owned(), Some(0)),
        ];
        let chart = week_chart(&weeks);
        let heights: Vec<(f64, bool)> = bars(&chart).iter().map(|b| (b.1, b.2)).collect();
        assert_eq!(
            heights,
            [(160.0, false), (80.0, false), (12.0, true), (0.0, false)]
        );
        let texts: Vec<&str> = chart
            .marks
            .iter()
            .filter_map(|m| match m {
                Mark::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts[..2], ["10", "0"], "top and zero ticks");
    }

    #[test]
    fn week_labels_never_crowd() {
        for (weeks, labels) in [(4, 2), (13, 7), (53, 11)] {
            let items: Vec<(String, Option<u64>)> =
                (0..weeks).map(|w| (format!("W{w}"), Some(1))).collect();
            let rotated = week_chart(&items)
                .marks
                .iter()
                .filter(|m| {
                    matches!(
                        m,
                        Mark::Text {
                            rotate: Some(_),
                            ..
                        }
                    )
                })
                .count();
            assert_eq!(rotated, labels, "{weeks} weeks");
        }
    }

    #[test]
    fn no_top_tick_when_nothing_is_published() {
        let chart = week_chart(&[("2026-W01".to_owned(), None)]);
        assert!(chart.marks.iter().any(|m| matches!(
            m,
            Mark::Text { text, anchor: Anchor::End, .. } if text.is_empty()
        )));
    }

    #[test]
    fn horizontal_bars_show_each_count_or_a_dash() {
        let items = vec![("ICE".to_owned(), Some(4)), ("<b>".to_owned(), None)];
        let chart = bar_chart(&items);
        assert_eq!(bars(&chart), [(380.0, 16.0, false), (24.0, 16.0, true)]);
        let svg = svg(&chart, "agency");
        assert!(svg.contains(">4</text>"));
        assert!(svg.contains(">—</text>"));
        assert!(svg.contains("url(#hatch-agency)"));
        assert!(svg.contains("&lt;b&gt;"), "labels are escaped");
        assert!(!svg.contains("<b>"));
    }
}
