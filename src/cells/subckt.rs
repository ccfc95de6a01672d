//! Finding `.subckt` blocks and their port lists in JoSIM text.

/// One `.subckt NAME ports... ` … `.ends` block.
#[derive(Debug, Clone, PartialEq)]
pub struct SubcktBlock {
    pub name: String,
    pub ports: Vec<String>,
    /// 1-based line of the `.subckt` line.
    pub line: usize,
    /// The block's text, `.subckt` to `.ends` inclusive.
    pub text: String,
}

/// Errors found while scanning: (1-based line, message).
pub type ScanError = (usize, String);

/// Scans the `.subckt` blocks of a netlist (comments and `+` continuations handled).
/// Nested `.subckt` definitions are kept inside their parent's text.
pub fn scan_subcircuits(text: &str) -> Result<Vec<SubcktBlock>, ScanError> {
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<(SubcktBlock, Vec<&str>)> = None;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line_no = i + 1;
        // join continuation lines for the header
        let mut logical = raw.trim().to_string();
        let mut j = i + 1;
        while j < lines.len() && lines[j].trim_start().starts_with('+') {
            logical.push(' ');
            logical.push_str(lines[j].trim_start()[1..].trim());
            j += 1;
        }
        let words: Vec<&str> = logical.split_whitespace().collect();
        let first = words
            .first()
            .map(|w| w.to_ascii_lowercase())
            .unwrap_or_default();
        if first == ".subckt" {
            if depth == 0 {
                let name = words
                    .get(1)
                    .ok_or((line_no, "`.subckt` without a name".to_string()))?;
                let ports = words[2..]
                    .iter()
                    .take_while(|w| !w.contains('='))
                    .map(|w| w.to_ascii_lowercase())
                    .collect();
                current = Some((
                    SubcktBlock {
                        name: name.to_string(),
                        ports,
                        line: line_no,
                        text: String::new(),
                    },
                    Vec::new(),
                ));
            }
            depth += 1;
        }
        if let Some((_, body)) = current.as_mut() {
            body.extend(&lines[i..j]);
        }
        if first == ".ends" {
            if depth == 0 {
                return Err((line_no, "`.ends` without a matching `.subckt`".into()));
            }
            depth -= 1;
            if depth == 0 {
                if let Some((mut block, body)) = current.take() {
                    block.text = body.join("\n") + "\n";
                    blocks.push(block);
                }
            }
        }
        i = j;
    }
    if let Some((block, _)) = current {
        return Err((
            block.line,
            format!("`.subckt {}` is never closed with `.ends`", block.name),
        ));
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_ports_and_nesting() {
        let text = "* x\n.subckt A a\n+ q\nL1 a q 1p\n.subckt B x y\n.ends B\n.ends A\n.SUBCKT C p\n.ENDS\n";
        let b = scan_subcircuits(text).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].name, "A");
        assert_eq!(b[0].ports, vec!["a", "q"]);
        assert!(b[0].text.contains(".subckt B"));
        assert_eq!(b[1].ports, vec!["p"]);
        assert_eq!(b[1].line, 8);
    }

    #[test]
    fn unterminated_block_is_an_error() {
        let err = scan_subcircuits("\n.subckt A a q\nL1 a q 1p\n").unwrap_err();
        assert_eq!(err.0, 2);
    }
}
