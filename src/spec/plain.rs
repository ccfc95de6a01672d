//! YAML reader messages in nmgen's words: serde-saphyr's budget breaches, duplicate-key
//! policy and untagged-enum mismatches name internals (`Nodes { nodes: 250001 }`,
//! `DuplicateKeyPolicy`, `untagged enum Expected`) a designer cannot act on.

/// What each of the spec's untagged enums accepts, by the enum's Rust name.
const UNTAGGED: &[(&str, &str)] = &[
    (
        "Expected",
        "expected a pulse count (e.g. `2`) or a list of count windows (`- { window: [50ps, 150ps], count: 1 }`)",
    ),
    (
        "InstanceSpec",
        "expected a cell name (e.g. `jtl`) or a mapping with `cell:` and its controls",
    ),
    (
        "ControlValue",
        "expected a number, a quantity (e.g. `135uA`), a parameter name or a list of them",
    ),
    (
        "StimulusSetting",
        "expected true/false, a number, a text or a list of times",
    ),
];

/// The limits of serde-saphyr's default budget, as a designer would read them.
fn budget(breach: &str) -> Option<String> {
    let kind = breach.split([' ', '{']).next()?;
    Some(match kind {
        "Depth" => {
            "lists and mappings nested more than 64 levels deep (the YAML reader's limit)".into()
        }
        "Nodes" => {
            "more than 250000 values, keys and list items (the YAML reader's limit); split the file"
                .into()
        }
        "Events" => {
            "more than 1000000 YAML events (the YAML reader's limit); split the file".into()
        }
        "Aliases" | "Anchors" | "AliasAnchorRatio" => {
            "too many YAML aliases (`*name`) for the anchors they refer to".into()
        }
        "Documents" => "more than 1024 YAML documents (`---`) in one file".into(),
        "ScalarBytes" | "InputBytes" => {
            "the file is too large for the YAML reader (64 MiB of text)".into()
        }
        "MergeKeys" => "more than 10000 merge keys (`<<`)".into(),
        "SequenceUnbalanced" => "unbalanced lists or mappings (is the file cut short?)".into(),
        _ => format!("the YAML reader's limits were exceeded ({kind})"),
    })
}

/// `message` (one line of a YAML or JSON reader error) with reader internals replaced.
pub fn plain_message(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("budget breached: ") {
        if let Some(plain) = budget(rest) {
            return plain;
        }
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key") {
        let key = rest
            .strip_prefix(": ")
            .and_then(|r| r.split(", set DuplicateKeyPolicy").next())
            .filter(|k| !k.starts_with(", set DuplicateKeyPolicy") && !k.is_empty());
        return match key {
            Some(k) => format!("duplicate key `{k}`: each key may appear once in a mapping"),
            None => "duplicate key: each key may appear once in a mapping".into(),
        };
    }
    if let Some(i) = message.find("did not match any variant of untagged enum ") {
        let name = message[i + "did not match any variant of untagged enum ".len()..]
            .split_whitespace()
            .next()
            .unwrap_or("");
        let plain = UNTAGGED.iter().find(|(n, _)| *n == name).map_or(
            "this value has none of the accepted forms (docs/spec.md)",
            |(_, p)| p,
        );
        return plain.to_string();
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::plain_message;

    #[test]
    fn reader_internals_are_replaced() {
        assert_eq!(
            plain_message(
                "duplicate mapping key: inputs, set DuplicateKeyPolicy in Options if acceptable"
            ),
            "duplicate key `inputs`: each key may appear once in a mapping"
        );
        assert!(plain_message("budget breached: Nodes { nodes: 250001 }").contains("250000 values"));
        assert!(plain_message("budget breached: Depth { depth: 65 }").contains("64 levels"));
        assert!(
            plain_message("data did not match any variant of untagged enum Expected")
                .starts_with("expected a pulse count")
        );
        assert_eq!(plain_message("unknown field `x`"), "unknown field `x`");
    }
}
