//! Structured mutation of the conformance happy-path bundles: the input picks a bundle, then
//! one to four JSON nodes (by pointer) and how to change each: flip, set, cut or insert bytes
//! inside a base64 value (decoded and re-encoded, so the change survives base64), edit text,
//! step or replace integers (also int64-as-string), remove a node, null it or change its type.
//! The mutated bundle is then verified as its original was (same trusted root, policy and
//! artifact). Nothing may panic, and a mutated bundle that verifies must name the same
//! signature, signing certificate or key, signed content and log entry bodies as its original.
#![no_main]

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sigstore_fuzz::{artifact_digest, Choices, CASES};
use sigstore_types::{Bundle, BundleContent};
use sigstore_verify::Artifact;

/// What verification vouches for: signature, signing certificate, signed content (`None` for
/// a message signature without `messageDigest`), log bodies.
type Vouched = (Vec<u8>, Option<Vec<u8>>, Option<String>, Vec<Vec<u8>>);

fn vouched(bundle: &Bundle) -> Vouched {
    let content = match &bundle.content {
        BundleContent::MessageSignature(m) => m.message_digest.as_ref().map(|d| format!("{d:?}")),
        BundleContent::DsseEnvelope(e) => Some(format!("{:?} {:?}", e.payload_type, e.payload)),
    };
    (
        bundle.signature_bytes().to_vec(),
        bundle
            .verification_material
            .leaf_certificate()
            .map(<[u8]>::to_vec),
        content,
        bundle
            .verification_material
            .tlog_entries
            .iter()
            .map(|e| e.canonicalized_body.clone())
            .collect(),
    )
}

/// Each case as JSON, its JSON pointers (every node but the root), and what it vouches for.
struct Original {
    json: Value,
    pointers: Vec<String>,
    vouched: Vouched,
}

fn originals() -> &'static [Original] {
    static ORIGINALS: OnceLock<Vec<Original>> = OnceLock::new();
    ORIGINALS.get_or_init(|| {
        CASES
            .iter()
            .map(|case| {
                let bundle = Bundle::from_json(case.bundle.as_bytes()).expect("the case parses");
                case.verifier()
                    .verify(&bundle, Artifact::Digest(artifact_digest()), &case.policy())
                    .unwrap_or_else(|e| panic!("{} does not verify: {e}", case.name));
                let json: Value = serde_json::from_str(case.bundle).expect("the case is JSON");
                let mut pointers = Vec::new();
                collect(&json, String::new(), &mut pointers);
                Original {
                    json,
                    pointers,
                    vouched: vouched(&bundle),
                }
            })
            .collect()
    })
}

fn collect(value: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        let pointer = format!("{at}/{key}");
        out.push(pointer.clone());
        collect(child, pointer, out);
    }
}

/// Changes `bytes` at a position the input picks.
fn mutate_bytes(bytes: &mut Vec<u8>, input: &mut Choices<'_>) {
    let pos = usize::from(input.u16()) % (bytes.len() + 1);
    match input.byte() % 5 {
        0 => {
            if let Some(b) = bytes.get_mut(pos) {
                *b ^= 1 << (input.byte() % 8);
            }
        }
        1 => {
            let value = input.byte();
            if let Some(b) = bytes.get_mut(pos) {
                *b = value;
            }
        }
        2 => bytes.truncate(pos),
        3 => {
            let len = usize::from(input.byte() % 16) + 1;
            let insert = input.bytes(len).to_vec();
            bytes.splice(pos..pos, insert);
        }
        _ => {
            let len = usize::from(input.byte());
            *bytes = input.bytes(len).to_vec();
        }
    }
}

fn mutate(node: &mut Value, input: &mut Choices<'_>) {
    match node {
        Value::String(text) => {
            if let Ok(n) = text.parse::<i64>() {
                if input.byte().is_multiple_of(2) {
                    *text = step(n, input).to_string();
                    return;
                }
            }
            match STANDARD.decode(text.as_bytes()) {
                Ok(mut decoded) if !input.byte().is_multiple_of(4) => {
                    mutate_bytes(&mut decoded, input);
                    *text = STANDARD.encode(decoded);
                }
                _ => {
                    let mut bytes = text.clone().into_bytes();
                    mutate_bytes(&mut bytes, input);
                    *text = String::from_utf8_lossy(&bytes).into_owned();
                }
            }
        }
        Value::Number(n) => {
            let n = n.as_i64().unwrap_or(0);
            *node = Value::from(step(n, input));
        }
        _ => *node = other(input),
    }
}

/// A nearby or extreme integer.
fn step(n: i64, input: &mut Choices<'_>) -> i64 {
    match input.byte() % 6 {
        0 => n.wrapping_add(1),
        1 => n.wrapping_sub(1),
        2 => 0,
        3 => -1,
        4 => i64::MAX,
        _ => input.u64() as i64,
    }
}

/// A value of some other type.
fn other(input: &mut Choices<'_>) -> Value {
    match input.byte() % 6 {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => Value::from(input.u64()),
        3 => Value::String(String::new()),
        4 => Value::Array(Vec::new()),
        _ => Value::Object(serde_json::Map::new()),
    }
}

/// Removes the node at `pointer` from its parent.
fn remove(json: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    match json.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key.replace("~1", "/").replace("~0", "~"));
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Choices::new(data);
    let index = usize::from(input.byte()) % CASES.len();
    let (case, original) = (&CASES[index], &originals()[index]);
    let mut json = original.json.clone();
    for _ in 0..=(input.byte() % 4) {
        let pointer = &original.pointers[usize::from(input.u16()) % original.pointers.len()];
        let how = input.byte();
        if how.is_multiple_of(8) {
            remove(&mut json, pointer);
        } else if let Some(node) = json.pointer_mut(pointer) {
            if how % 8 == 1 {
                *node = other(&mut input);
            } else {
                mutate(node, &mut input);
            }
        }
    }
    let Ok(text) = serde_json::to_vec(&json) else {
        return;
    };
    let Ok(bundle) = Bundle::from_json(&text) else {
        return;
    };
    let verified =
        case.verifier()
            .verify(&bundle, Artifact::Digest(artifact_digest()), &case.policy());
    if verified.is_ok() {
        let mut now = vouched(&bundle);
        if now.2.is_none() {
            // `messageDigest` is optional; when present it must match the artifact.
            now.2.clone_from(&original.vouched.2);
        }
        assert!(
            now == original.vouched,
            "{}: a bundle with altered signature, certificate, content or log body verified:\n{}",
            case.name,
            String::from_utf8_lossy(&text)
        );
    }
});
