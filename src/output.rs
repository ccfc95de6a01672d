//! Writing outputs atomically, with a manifest.
