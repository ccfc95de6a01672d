//! Which kind of design a spec file describes, decided once from the parsed YAML
//! document: a top-level `lsm:` section makes it a resistive-memory LSM spec,
//! anything else is an SFQ network spec.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::IgnoredAny;

use crate::diagnostic::{SourceError, SourceFile};
use crate::lsm::LsmDesign;

use super::Design;

/// A checked spec of either kind.
#[derive(Debug, Clone)]
pub enum LoadedSpec {
    /// An SFQ network (JoSIM netlists).
    Sfq(Box<Design>),
    /// A resistive-memory liquid state machine (Verilog).
    Lsm(Box<LsmDesign>),
}

/// The two kinds of design, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignKind {
    Sfq,
    Lsm,
}

impl std::fmt::Display for DesignKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DesignKind::Sfq => "SFQ",
            DesignKind::Lsm => "LSM",
        })
    }
}

impl LoadedSpec {
    pub fn kind(&self) -> DesignKind {
        match self {
            LoadedSpec::Sfq(_) => DesignKind::Sfq,
            LoadedSpec::Lsm(_) => DesignKind::Lsm,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            LoadedSpec::Sfq(d) => &d.name,
            LoadedSpec::Lsm(d) => &d.name,
        }
    }
}

/// The kind of a spec document from its top-level keys; a document that is not a
/// mapping is left to the SFQ reader, whose errors say where it went wrong.
pub fn kind_of(file: &SourceFile) -> DesignKind {
    match serde_saphyr::from_str::<BTreeMap<String, IgnoredAny>>(&file.text) {
        Ok(keys) if keys.contains_key("lsm") => DesignKind::Lsm,
        _ => DesignKind::Sfq,
    }
}

/// Reads a spec file once, decides its kind from the parsed document and checks it.
pub fn load_any(path: &Path) -> Result<LoadedSpec, SourceError> {
    let file = SourceFile::read(path)?;
    match kind_of(&file) {
        DesignKind::Lsm => Ok(LoadedSpec::Lsm(Box::new(crate::lsm::load_str(
            &file.text, &file.path,
        )?))),
        DesignKind::Sfq => {
            let spec = super::parse(&file)?;
            Ok(LoadedSpec::Sfq(Box::new(super::check(&file, &spec)?)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> DesignKind {
        kind_of(&SourceFile::new("t.yaml", text))
    }

    #[test]
    fn a_top_level_lsm_section_makes_an_lsm_spec() {
        assert_eq!(kind("name: a\nlsm: { inputs: 4 }\n"), DesignKind::Lsm);
        // flow style and comments are the parser's business, not a line match
        assert_eq!(kind("{name: a, lsm: {inputs: 4}}"), DesignKind::Lsm);
        assert_eq!(kind("name: a\nnetwork: {}\n# lsm: no\n"), DesignKind::Sfq);
        // a nested `lsm:` key is not the top-level section
        assert_eq!(kind("name: a\nparameters:\n  lsm: 1\n"), DesignKind::Sfq);
        assert_eq!(kind("- not a mapping"), DesignKind::Sfq);
    }
}
