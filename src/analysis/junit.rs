//! JUnit XML for CI: one `<testsuite>` per spec, one `<testcase>` per check, pattern
//! and margin parameter, in the dialect that Jenkins, GitLab and the GitHub test
//! reporters read (`<testsuites>` root; `<failure>`, `<error>`, `<skipped>`).

use std::fmt::Write as _;

/// How one test case came out.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// The design was judged and failed: `message` is one line, `detail` the full text.
    Failed {
        message: String,
        detail: String,
    },
    /// The case could not be judged (bad input, a simulator that failed).
    Error {
        message: String,
        detail: String,
    },
    Skipped {
        message: String,
    },
}

/// One `<testcase>`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// `<spec name>.<group>` (`jtl_chain.checks`, `jtl_chain.patterns`, `jtl_chain.margins`).
    pub classname: String,
    pub name: String,
    /// Wall-clock seconds spent on this case.
    pub time: f64,
    pub outcome: Outcome,
    /// What the case measured, shown by reporters next to the verdict.
    pub system_out: Option<String>,
}

/// One `<testsuite>`: one spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TestSuite {
    pub name: String,
    /// The spec file, as given on the command line.
    pub file: String,
    pub properties: Vec<(String, String)>,
    pub cases: Vec<TestCase>,
}

impl TestSuite {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| f(&c.outcome)).count()
    }
    pub fn failures(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed { .. }))
    }
    pub fn errors(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Error { .. }))
    }
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped { .. }))
    }
    pub fn time(&self) -> f64 {
        self.cases.iter().map(|c| c.time).sum()
    }
}

/// Text for an XML attribute or element: markup characters escaped, characters
/// XML 1.0 forbids (control characters other than tab, newline, return) dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Seconds with millisecond resolution, as JUnit reporters show them.
fn seconds(t: f64) -> String {
    format!("{:.3}", if t.is_finite() { t.max(0.0) } else { 0.0 })
}

/// The whole report: `<testsuites>` with one `<testsuite>` per entry.
pub fn to_xml(name: &str, suites: &[TestSuite]) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total = |f: fn(&TestSuite) -> usize| suites.iter().map(f).sum::<usize>();
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
        escape(name),
        total(|s| s.cases.len()),
        total(TestSuite::failures),
        total(TestSuite::errors),
        total(TestSuite::skipped),
        seconds(suites.iter().map(TestSuite::time).sum())
    );
    for (id, s) in suites.iter().enumerate() {
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" id=\"{id}\" package=\"nmgen\" hostname=\"localhost\" file=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
            escape(&s.name),
            escape(&s.file),
            s.cases.len(),
            s.failures(),
            s.errors(),
            s.skipped(),
            seconds(s.time())
        );
        if !s.properties.is_empty() {
            x.push_str("    <properties>\n");
            for (k, v) in &s.properties {
                let _ = writeln!(
                    x,
                    "      <property name=\"{}\" value=\"{}\"/>",
                    escape(k),
                    escape(v)
                );
            }
            x.push_str("    </properties>\n");
        }
        for c in &s.cases {
            let _ = write!(
                x,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                escape(&c.name),
                escape(&c.classname),
                seconds(c.time)
            );
            if c.outcome == Outcome::Passed && c.system_out.is_none() {
                x.push_str("/>\n");
                continue;
            }
            x.push_str(">\n");
            match &c.outcome {
                Outcome::Passed => {}
                Outcome::Failed { message, detail } => {
                    let _ = writeln!(
                        x,
                        "      <failure message=\"{}\" type=\"failed\">{}</failure>",
                        escape(message),
                        escape(detail)
                    );
                }
                Outcome::Error { message, detail } => {
                    let _ = writeln!(
                        x,
                        "      <error message=\"{}\" type=\"error\">{}</error>",
                        escape(message),
                        escape(detail)
                    );
                }
                Outcome::Skipped { message } => {
                    let _ = writeln!(x, "      <skipped message=\"{}\"/>", escape(message));
                }
            }
            if let Some(out) = &c.system_out {
                let _ = writeln!(x, "      <system-out>{}</system-out>", escape(out));
            }
            x.push_str("    </testcase>\n");
        }
        x.push_str("    <system-out/>\n    <system-err/>\n");
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            escape("a<b & \"c\"\u{1b}[0m"),
            "a&lt;b &amp; &quot;c&quot;[0m"
        );
    }

    #[test]
    fn counts_outcomes_per_suite_and_in_total() {
        let case = |name: &str, outcome| TestCase {
            classname: "s.checks".into(),
            name: name.into(),
            time: 0.5,
            outcome,
            system_out: None,
        };
        let suite = TestSuite {
            name: "s".into(),
            file: "s.yaml".into(),
            properties: vec![],
            cases: vec![
                case("a", Outcome::Passed),
                case(
                    "b",
                    Outcome::Failed {
                        message: "m".into(),
                        detail: "d".into(),
                    },
                ),
                case(
                    "c",
                    Outcome::Skipped {
                        message: "why".into(),
                    },
                ),
            ],
        };
        let xml = to_xml("nmgen check", &[suite]);
        assert!(xml.contains(
            "<testsuites name=\"nmgen check\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"1.500\">"
        ));
        assert!(xml.contains("<failure message=\"m\" type=\"failed\">d</failure>"));
        assert!(xml.contains("<skipped message=\"why\"/>"));
    }
}
