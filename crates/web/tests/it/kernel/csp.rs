//! The strict Content-Security-Policy allows no inline style or script, so
//! no template may carry one: a `<style>` block, a `style="…"` attribute, a
//! `<script>` without `src`, or an `on…=` event handler would be blocked in
//! the browser and leave the page unstyled or dead. The stylesheet is
//! `static/app.css`; scripts are files under `static/`.

use std::path::{Path, PathBuf};

fn templates(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("templates folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            templates(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// `attribute` as an attribute of a tag in `html`: after white space,
/// followed by `=`.
fn has_attribute(html: &str, attribute: &str) -> bool {
    html.match_indices(attribute).any(|(i, _)| {
        let before = html[..i].chars().next_back();
        let after = html[i + attribute.len()..].trim_start().starts_with('=');
        before.is_some_and(char::is_whitespace) && after
    })
}

#[test]
fn no_template_has_an_inline_style_or_script() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut files = vec![];
    templates(&root, &mut files);
    assert!(files.len() > 30, "the templates are found: {}", files.len());
    let mut found = vec![];
    for f in &files {
        let html = std::fs::read_to_string(f).expect("template");
        let lower = html.to_lowercase();
        let name = f.strip_prefix(&root).unwrap().display().to_string();
        if lower.contains("<style") {
            found.push(format!("{name}: a <style> block"));
        }
        if has_attribute(&lower, "style") {
            found.push(format!("{name}: a style attribute"));
        }
        for (i, _) in lower.match_indices("<script") {
            let tag = &lower[i..lower[i..].find('>').map_or(lower.len(), |e| i + e)];
            if !tag.contains(" src=") {
                found.push(format!("{name}: an inline <script>"));
            }
        }
        for handler in ["onclick", "onload", "onchange", "onsubmit", "oninput"] {
            if has_attribute(&lower, handler) {
                found.push(format!("{name}: an {handler} handler"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "blocked by the CSP:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_looks_for() {
    assert!(has_attribute(r#"<div style="x">"#, "style"));
    assert!(has_attribute("<div\n  style = \"x\">", "style"));
    assert!(!has_attribute(r#"<div class="staff-style">"#, "style"));
    assert!(!has_attribute("list-style: none", "style"));
}
