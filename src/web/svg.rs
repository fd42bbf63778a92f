//! A small SVG writer: elements with attributes and text, every value escaped, so that a unit's
//! name can never close a tag. Enough for the checks grid and the
//! 工作台's charts (`web::chart`); no layout, no styling beyond
//! presentation attributes (the pages' CSP refuses inline `style`).

use std::fmt::Write;

/// An SVG document being written, element by element.
pub struct Svg {
    out: String,
    open: Vec<&'static str>,
}

impl Svg {
    /// Starts an `<svg>` of the given size, its `viewBox` matching, with an accessible name.
    #[allow(dead_code)] // every drawing today is fluid; a fixed size stays available
    pub fn new(width: u32, height: u32, label: &str) -> Svg {
        let mut svg = Svg {
            out: String::new(),
            open: Vec::new(),
        };
        svg.open(
            "svg",
            &[
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("width", &*width.to_string()),
                ("height", &*height.to_string()),
                ("viewBox", &*format!("0 0 {width} {height}")),
                ("role", "img"),
                ("aria-label", label),
            ],
        );
        svg
    }

    /// Like [`Svg::new`], but as wide as the space it is placed in: `width="100%"`, its height
    /// following from the `viewBox`, text and marks scaled alike.
    pub fn fluid(width: u32, height: u32, label: &str) -> Svg {
        let mut svg = Svg {
            out: String::new(),
            open: Vec::new(),
        };
        svg.open(
            "svg",
            &[
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("width", "100%"),
                ("viewBox", &*format!("0 0 {width} {height}")),
                ("preserveAspectRatio", "xMinYMin meet"),
                ("role", "img"),
                ("aria-label", label),
            ],
        );
        svg
    }

    /// A chart as wide as its box (as [`Svg::fluid`]) whose marks are links: a `group` named by
    /// the elements `labelled_by` lists (its `<title>` and `<desc>`), since `role="img"` would
    /// hide the links inside from assistive technology.
    pub fn chart(width: u32, height: u32, labelled_by: &str) -> Svg {
        let mut svg = Svg {
            out: String::new(),
            open: Vec::new(),
        };
        svg.open(
            "svg",
            &[
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("width", "100%"),
                ("viewBox", &*format!("0 0 {width} {height}")),
                ("preserveAspectRatio", "xMinYMin meet"),
                ("role", "group"),
                ("aria-labelledby", labelled_by),
            ],
        );
        svg
    }

    /// Opens an element; [`Svg::close`] closes the innermost one.
    pub fn open(&mut self, tag: &'static str, attrs: &[(&str, &str)]) -> &mut Svg {
        self.start(tag, attrs);
        self.out.push('>');
        self.open.push(tag);
        self
    }

    pub fn close(&mut self) -> &mut Svg {
        if let Some(tag) = self.open.pop() {
            let _ = write!(self.out, "</{tag}>");
        }
        self
    }

    /// An element without content: `<rect .../>`.
    pub fn empty(&mut self, tag: &'static str, attrs: &[(&str, &str)]) -> &mut Svg {
        self.start(tag, attrs);
        self.out.push_str("/>");
        self
    }

    /// An element holding text only: `<text ...>甲支部</text>`, `<title>…</title>`.
    pub fn text(&mut self, tag: &'static str, attrs: &[(&str, &str)], text: &str) -> &mut Svg {
        self.start(tag, attrs);
        self.out.push('>');
        escape_into(&mut self.out, text);
        let _ = write!(self.out, "</{tag}>");
        self
    }

    /// Closes whatever is still open and returns the document.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }

    fn start(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        let _ = write!(self.out, "<{tag}");
        for (name, value) in attrs {
            let _ = write!(self.out, " {name}=\"");
            escape_into(&mut self.out, value);
            self.out.push('"');
        }
    }
}

/// Escapes the five characters that matter in XML text and attribute values.
fn escape_into(out: &mut String, text: &str) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_elements_closed() {
        let mut svg = Svg::new(10, 20, "图");
        svg.open("a", &[("href", "/x?a=1&b=2")])
            .text("title", &[], "<甲\"支部'>")
            .empty("rect", &[("x", "0")]);
        let out = svg.finish();
        assert_eq!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"20\" \
             viewBox=\"0 0 10 20\" role=\"img\" aria-label=\"图\"><a href=\"/x?a=1&amp;b=2\">\
             <title>&lt;甲&quot;支部&#39;&gt;</title><rect x=\"0\"/></a></svg>"
        );
    }
}
