//! A self-contained HTML report: inline CSS and SVG charts (from the chart
//! model of [`super::chart`], which the app's window draws too), no
//! script, no external resource (a Content-Security-Policy forbids any),
//! a print stylesheet, headings and labels in English or Spanish.
//!
//! It shows a subset of the published values (the margins and the
//! week × category table); the full week × category × area table is in the
//! CSV and JSON exports. Every value shown is one of the summary's, so
//! suppression carries over unchanged.

use std::collections::HashMap;
use std::fmt::Write;

use super::Lang;
use super::chart::{self, esc};
use super::summary::{ALL, OTHER_LANGUAGE, Row, Summary, Table, UNSPECIFIED_AREA};

/// Fixed texts of the report.
struct Texts {
    lang: &'static str,
    title: &'static str,
    period: &'static str,
    threshold: &'static str,
    synthetic_in: &'static str,
    synthetic_out: &'static str,
    note: &'static str,
    per_week: &'static str,
    by_category: &'static str,
    by_area: &'static str,
    week_by_category: &'static str,
    by_agency: &'static str,
    by_verification: &'static str,
    by_language: &'static str,
    by_relation: &'static str,
    total: &'static str,
    calls: &'static str,
    week: &'static str,
    footer: &'static str,
}

const EN: Texts = Texts {
    lang: "en",
    title: "Hotline Desk: call summary",
    period: "Period",
    threshold: "Threshold",
    synthetic_in: "Synthetic (demo) calls are included.",
    synthetic_out: "Synthetic (demo) calls are not included.",
    note: "To protect callers, every count shown is 0 or at least k. A dash (—) marks a count that is hidden because it is smaller than k, or because it would let a hidden count be worked out from the totals. Weeks are ISO weeks (UTC).",
    per_week: "Calls per week",
    by_category: "Calls by category",
    by_area: "Calls by area",
    week_by_category: "Calls by week and category",
    by_agency: "Calls by agency reported",
    by_verification: "Calls by verification outcome",
    by_language: "Calls by language",
    by_relation: "Calls by caller relation",
    total: "Total",
    calls: "Calls",
    week: "Week",
    footer: "Made by Hotline Desk. The full table by week, category and area is in the CSV and JSON exports.",
};

const ES: Texts = Texts {
    lang: "es",
    title: "Hotline Desk: resumen de llamadas",
    period: "Período",
    threshold: "Umbral",
    synthetic_in: "Incluye llamadas sintéticas (de demostración).",
    synthetic_out: "No incluye llamadas sintéticas (de demostración).",
    note: "Para proteger a quienes llaman, cada cifra es 0 o al menos k. Un guion (—) indica una cifra oculta por ser menor que k, o porque permitiría deducir una cifra oculta a partir de los totales. Las semanas son semanas ISO (UTC).",
    per_week: "Llamadas por semana",
    by_category: "Llamadas por categoría",
    by_area: "Llamadas por zona",
    week_by_category: "Llamadas por semana y categoría",
    by_agency: "Llamadas por agencia reportada",
    by_verification: "Llamadas por resultado de verificación",
    by_language: "Llamadas por idioma",
    by_relation: "Llamadas por relación de quien llama",
    total: "Total",
    calls: "Llamadas",
    week: "Semana",
    footer: "Hecho con Hotline Desk. La tabla completa por semana, categoría y zona está en las exportaciones CSV y JSON.",
};

/// A code's label in `lang` (the code itself when it has none).
fn label(lang: Lang, dim: &str, code: &str) -> String {
    let pair: Option<(&str, &str)> = match (dim, code) {
        (_, ALL) => Some(("Total", "Total")),
        ("category", "ice_home_door") => {
            Some(("ICE at a home door", "ICE en la puerta de una casa"))
        }
        ("category", "ice_public") => Some(("ICE in a public place", "ICE en un lugar público")),
        ("category", "workplace_operation") => {
            Some(("Workplace operation", "Operativo en un lugar de trabajo"))
        }
        ("category", "traffic_stop_local_police") => Some((
            "Traffic stop (local police)",
            "Parada de tráfico (policía local)",
        )),
        ("category", "arrest_or_detention") => Some(("Arrest or detention", "Arresto o detención")),
        ("category", "courthouse") => Some(("Courthouse", "Tribunal")),
        ("category", "ice_office_checkin") => {
            Some(("ICE office check-in", "Cita en oficina de ICE"))
        }
        ("category", "info_or_referral") => {
            Some(("Information or referral", "Información o referencia"))
        }
        ("category", "rumour_check") => Some(("Rumour check", "Verificación de rumor")),
        ("category", "other") | ("agency", "other") | ("caller_relation", "other") => {
            Some(("Other", "Otro"))
        }
        ("agency", "ice_ero") => Some(("ICE ERO", "ICE ERO")),
        ("agency", "hsi") => Some(("HSI", "HSI")),
        ("agency", "cbp") => Some(("CBP", "CBP")),
        ("agency", "local_police") => Some(("Local police", "Policía local")),
        ("agency", "county_sheriff") => Some(("County sheriff", "Alguacil del condado")),
        ("agency", "state_patrol") => Some(("State patrol", "Patrulla estatal")),
        ("agency", "unknown") => Some(("Unknown", "Desconocida")),
        ("agency", "possible_impersonator") => Some(("Possible impersonator", "Posible impostor")),
        ("verification", "unverified") => Some(("Unverified", "Sin verificar")),
        ("verification", "dispatched") => Some(("Verifier dispatched", "Verificador enviado")),
        ("verification", "confirmed") => Some(("Confirmed", "Confirmado")),
        ("verification", "false_alarm") => Some(("False alarm", "Falsa alarma")),
        ("verification", "local_police") => {
            Some(("Local police, not ICE", "Policía local, no ICE"))
        }
        ("verification", "unable_to_verify") => Some(("Unable to verify", "No se pudo verificar")),
        ("caller_relation", "self") => Some(("Person affected", "Persona afectada")),
        ("caller_relation", "family") => Some(("Family", "Familia")),
        ("caller_relation", "witness") => Some(("Witness or neighbour", "Testigo o vecino")),
        ("caller_relation", "organization") => Some(("Organization", "Organización")),
        ("language", OTHER_LANGUAGE) => Some(("Other languages", "Otros idiomas")),
        ("area", UNSPECIFIED_AREA) => Some(("(unspecified)", "(sin especificar)")),
        _ => None,
    };
    match (pair, lang) {
        (Some((en, _)), Lang::En) => en.to_owned(),
        (Some((_, es)), Lang::Es) => es.to_owned(),
        (None, _) => code.to_owned(),
    }
}

/// Rows of a table keyed by their values.
fn index(table: &Table) -> HashMap<Vec<&str>, &Row> {
    table
        .rows
        .iter()
        .map(|r| (r.values.iter().map(String::as_str).collect(), r))
        .collect()
}

/// A count as shown.
fn shown(row: Option<&Row>) -> String {
    match row.and_then(|r| r.count) {
        Some(n) => n.to_string(),
        None => "—".to_owned(),
    }
}

/// Counts of `(label, row)` items as a chart takes them.
fn counts(items: &[(String, Option<&Row>)]) -> Vec<(String, Option<u64>)> {
    items
        .iter()
        .map(|(name, row)| (name.clone(), row.and_then(|r| r.count)))
        .collect()
}

/// A horizontal bar chart plus table of `(label, row)` items and a total.
fn bars(
    out: &mut String,
    id: &str,
    t: &Texts,
    items: &[(String, Option<&Row>)],
    total: Option<&Row>,
) {
    out.push_str(&chart::svg(&chart::bar_chart(&counts(items)), id));
    let _ = write!(
        out,
        "<table><thead><tr><th></th><th>{}</th></tr></thead><tbody>",
        t.calls
    );
    for (name, row) in items {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
            esc(name),
            shown(*row)
        );
    }
    let _ = writeln!(
        out,
        "<tr class=\"total\"><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr></tbody></table>",
        t.total,
        shown(total)
    );
}

/// A vertical bar chart of calls per week.
fn week_chart(out: &mut String, weeks: &[(String, Option<&Row>)]) {
    out.push_str(&chart::svg(&chart::week_chart(&counts(weeks)), "weeks"));
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1a1a1a;margin:2rem auto;max-width:62rem;padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
.meta{color:#444}.note{background:#f4f4f4;border-left:4px solid #888;padding:.5rem 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.15rem .5rem;text-align:left}tbody th{white-space:nowrap}.wide table{font-size:.8rem}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.total th,tr.total td,th.total,td.total{font-weight:bold;background:#f4f4f4}
.chart{max-width:100%;height:auto;display:block;margin:.5rem 0}
.bar{fill:#2b6cb0}.lbl{font-size:10px;fill:#333}.val{font-size:11px;fill:#111}
.wide{overflow-x:auto}
footer{margin-top:2rem;color:#555;font-size:.85rem}
@media print{body{margin:0;max-width:none;font-size:10pt}.bar{fill:#555}section{break-inside:avoid}
h2{break-after:avoid}.wide{overflow:visible}.note{border:1px solid #888}a{color:inherit;text-decoration:none}}
@page{margin:1.5cm}
";

/// Render `summary` as a self-contained HTML document in `lang`.
pub(crate) fn render(summary: &Summary, lang: Lang) -> String {
    let t = match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    };
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\n\
         <header><h1>{title}</h1><p class=\"meta\">{period}: {from} – {to} · {threshold}: k = {k} · {synth}</p></header>\n\
         <p class=\"note\">{note}</p>\n",
        lang = t.lang,
        title = t.title,
        period = t.period,
        from = summary.from,
        to = summary.to,
        threshold = t.threshold,
        k = summary.k,
        synth = if summary.include_synthetic {
            t.synthetic_in
        } else {
            t.synthetic_out
        },
        note = t.note
    );
    if let Some(cube) = summary.table("calls_by_week_category_area") {
        let rows = index(cube);
        let weeks = cube.values_of(0);
        let categories = cube.values_of(1);
        let areas = cube.values_of(2);
        let get = |w: &str, c: &str, a: &str| rows.get(&vec![w, c, a]).copied();
        let grand = get(ALL, ALL, ALL);

        let per_week: Vec<(String, Option<&Row>)> = weeks
            .iter()
            .map(|w| ((*w).to_owned(), get(w, ALL, ALL)))
            .collect();
        let _ = write!(out, "<section><h2>{}</h2><div class=\"wide\">", t.per_week);
        week_chart(&mut out, &per_week);
        out.push_str("</div></section>\n");

        let by_category: Vec<(String, Option<&Row>)> = categories
            .iter()
            .map(|c| (label(lang, "category", c), get(ALL, c, ALL)))
            .collect();
        let _ = write!(out, "<section><h2>{}</h2>", t.by_category);
        bars(&mut out, "category", t, &by_category, grand);
        out.push_str("</section>\n");

        let by_area: Vec<(String, Option<&Row>)> = areas
            .iter()
            .map(|a| (label(lang, "area", a), get(ALL, ALL, a)))
            .collect();
        let _ = write!(out, "<section><h2>{}</h2>", t.by_area);
        bars(&mut out, "area", t, &by_area, grand);
        out.push_str("</section>\n");

        let _ = write!(
            out,
            "<section><h2>{}</h2><div class=\"wide\"><table><thead><tr><th>{}</th>",
            t.week_by_category, t.week
        );
        for c in &categories {
            let _ = write!(out, "<th>{}</th>", esc(&label(lang, "category", c)));
        }
        let _ = write!(
            out,
            "<th class=\"total\">{}</th></tr></thead><tbody>",
            t.total
        );
        for w in weeks.iter().copied().chain([ALL]) {
            let class = if w == ALL { " class=\"total\"" } else { "" };
            let name = if w == ALL { t.total.to_owned() } else { esc(w) };
            let _ = write!(out, "<tr{class}><th scope=\"row\">{name}</th>");
            for c in categories.iter().copied().chain([ALL]) {
                let _ = write!(out, "<td class=\"num\">{}</td>", shown(get(w, c, ALL)));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div></section>\n");
    }
    for (name, heading) in [
        ("calls_by_agency", t.by_agency),
        ("calls_by_verification", t.by_verification),
        ("calls_by_language", t.by_language),
        ("calls_by_caller_relation", t.by_relation),
    ] {
        let Some(table) = summary.table(name) else {
            continue;
        };
        let dim = table.dimensions.first().map_or("", String::as_str);
        let rows = index(table);
        let items: Vec<(String, Option<&Row>)> = table
            .values_of(0)
            .iter()
            .map(|v| (label(lang, dim, v), rows.get(&vec![*v]).copied()))
            .collect();
        let _ = write!(out, "<section><h2>{heading}</h2>");
        bars(&mut out, dim, t, &items, rows.get(&vec![ALL]).copied());
        out.push_str("</section>\n");
    }
    let _ = write!(
        out,
        "<footer><p>{}</p><p>{}</p></footer>\n</body></html>\n",
        t.footer,
        esc(&summary.schema)
    );
    out
}
