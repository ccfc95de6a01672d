//! A YAML mapping kept in written order, with located keys (`q: 1` → the
//! error for an unknown output `q` points at `q`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_saphyr::Spanned;

/// Entries of a mapping in the order written. Duplicate keys are rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for NamedMap<V> {
    fn default() -> Self {
        NamedMap(Vec::new())
    }
}

impl<V> NamedMap<V> {
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.value.as_str(), v))
    }
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k.value == key).map(|(_, v)| v)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for NamedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = NamedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(Spanned<String>, V)> = Vec::new();
                // names seen so far: a set, so a map of n keys costs O(n), not O(n²)
                let mut seen = std::collections::HashSet::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    if !seen.insert(key.value.clone()) {
                        return Err(serde::de::Error::custom(format!(
                            "`{}` is given twice",
                            key.value
                        )));
                    }
                    let value = map.next_value::<V>()?;
                    out.push((key, value));
                }
                Ok(NamedMap(out))
            }
        }
        d.deserialize_map(V2(PhantomData))
    }
}

impl<V: Serialize> Serialize for NamedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(&k.value, v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::NamedMap;

    #[test]
    fn keeps_order_and_rejects_a_name_given_twice() {
        let m: NamedMap<u32> = serde_saphyr::from_str("b: 1\na: 2\nc: 3\n").unwrap();
        let names: Vec<&str> = m.0.iter().map(|(k, _)| k.value.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        let e = serde_saphyr::from_str::<NamedMap<u32>>("b: 1\na: 2\nb: 3\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        // the YAML reader rejects it first, located at the second `b`; the check in
        // `visit_map` is the guard for readers that let duplicates through
        assert!(
            e.contains("line 3 column 1") && e.contains("duplicate mapping key: b"),
            "{e}"
        );
    }
}
