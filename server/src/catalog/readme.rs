//! READMEs: markdown rendered with pulldown-cmark (CommonMark plus tables,
//! strikethrough and task lists) and sanitised with ammonia, so a README
//! pushed by anyone can carry no script, no event handler and no
//! `javascript:` link into Reestr's pages.

use pulldown_cmark::{Options, Parser, html};

/// Safe HTML for a markdown README.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into())
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_renders_and_hostile_html_does_not_survive() {
        let html = render(
            "# App\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> [docs](https://example.com)",
        );
        assert!(html.contains("<h1>App</h1>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>"#),
            "{html}"
        );
    }
}
