//! Embeds the production and staging TUF bootstrap roots from the shared trust material.
//!
//! The roots are read from `$SIGSTORE_SHARED_DIR/trust/{production,staging}/root.json`
//! (default: `../shared` beside the workspace) at build time; a missing file is a build error
//! that says where it looked.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=SIGSTORE_SHARED_DIR");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let shared = std::env::var_os("SIGSTORE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../shared"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    for instance in ["production", "staging"] {
        let src = shared.join("trust").join(instance).join("root.json");
        println!("cargo:rerun-if-changed={}", src.display());
        let bytes = std::fs::read(&src).unwrap_or_else(|e| {
            panic!(
                "cannot read the {instance} TUF root at {}: {e}. Set SIGSTORE_SHARED_DIR to \
                 the directory holding trust/{{production,staging}}/root.json",
                src.display()
            )
        });
        let dst = out.join(format!("{instance}_root.json"));
        std::fs::write(&dst, bytes)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", dst.display()));
    }
}
