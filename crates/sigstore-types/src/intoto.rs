//! in-toto attestation Statements (v0.1 and v1), the usual DSSE payload.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::media_types;
use crate::wire;
use crate::Error;

/// The DSSE payload type of in-toto statements.
pub const PAYLOAD_TYPE: &str = media_types::IN_TOTO_PAYLOAD_TYPE;
/// Most subjects accepted in one statement (sigstore-go's limit).
pub const MAX_SUBJECTS: usize = 1024;
/// Most digests accepted per subject (sigstore-go's limit).
pub const MAX_DIGESTS_PER_SUBJECT: usize = 32;

/// An in-toto Statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `_type`: `https://in-toto.io/Statement/v1` or `.../v0.1`.
    pub type_: String,
    /// `subject`: the artifacts the statement is about (at least one).
    pub subjects: Vec<Subject>,
    /// `predicateType` (empty when absent).
    pub predicate_type: String,
    /// `predicate`, if present and not null.
    pub predicate: Option<serde_json::Value>,
}

/// One subject of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Subject name (empty when absent).
    pub name: String,
    /// Algorithm name (e.g. `sha256`) to hex digest, exactly as given.
    pub digest: BTreeMap<String, String>,
}

impl Statement {
    /// Parses a statement. `_type` must be Statement v0.1 or v1; `subject` must hold 1 to
    /// [`MAX_SUBJECTS`] entries with at most [`MAX_DIGESTS_PER_SUBJECT`] digests each, and a
    /// digest map must not repeat an algorithm.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let (mut statement, predicate) = Self::parse_with::<serde_json::Value>(bytes)?;
        statement.predicate = predicate.filter(|p| !p.is_null());
        Ok(statement)
    }

    /// Like [`Statement::from_json`] with the same checks, but the predicate is only checked
    /// to be well-formed JSON and is not kept (`predicate` is `None`): what a verifier needs to
    /// match subjects, without building the predicate's tree.
    pub fn from_json_skipping_predicate(bytes: &[u8]) -> Result<Self, Error> {
        Self::parse_with::<serde::de::IgnoredAny>(bytes).map(|(statement, _)| statement)
    }

    fn parse_with<P: serde::de::DeserializeOwned>(
        bytes: &[u8],
    ) -> Result<(Self, Option<P>), Error> {
        let w: StatementWire<P> = wire::parse(bytes)?;
        let type_ = w.type_.ok_or(Error::MissingField("_type"))?;
        if type_ != media_types::IN_TOTO_STATEMENT_V1
            && type_ != media_types::IN_TOTO_STATEMENT_V0_1
        {
            return Err(Error::UnsupportedStatementType(
                type_.chars().take(128).collect(),
            ));
        }
        let subjects = w.subject.unwrap_or_default();
        if subjects.is_empty() {
            return Err(Error::NoSubjects);
        }
        if subjects.len() > MAX_SUBJECTS {
            return Err(Error::TooManySubjects {
                count: subjects.len(),
                max: MAX_SUBJECTS,
            });
        }
        let subjects = subjects
            .into_iter()
            .enumerate()
            .map(|(index, s)| {
                let digest = s.digest.map(|d| d.0).unwrap_or_default();
                if digest.len() > MAX_DIGESTS_PER_SUBJECT {
                    return Err(Error::TooManyDigests {
                        subject: index,
                        count: digest.len(),
                        max: MAX_DIGESTS_PER_SUBJECT,
                    });
                }
                Ok(Subject {
                    name: s.name.unwrap_or_default(),
                    digest,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok((
            Self {
                type_,
                subjects,
                predicate_type: w.predicate_type.unwrap_or_default(),
                predicate: None,
            },
            w.predicate,
        ))
    }

    /// Serializes to compact JSON.
    pub fn to_json(&self) -> String {
        wire::to_string(&StatementOut {
            type_: &self.type_,
            subject: self
                .subjects
                .iter()
                .map(|s| SubjectOut {
                    name: &s.name,
                    digest: &s.digest,
                })
                .collect(),
            predicate_type: &self.predicate_type,
            predicate: self.predicate.as_ref(),
        })
    }

    /// The subjects whose digest for `algorithm` (e.g. `"sha256"`) equals `hex_digest`,
    /// compared case-insensitively.
    pub fn subjects_matching<'a>(
        &'a self,
        algorithm: &'a str,
        hex_digest: &'a str,
    ) -> impl Iterator<Item = &'a Subject> + 'a {
        self.subjects.iter().filter(move |s| {
            s.digest
                .get(algorithm)
                .is_some_and(|d| d.eq_ignore_ascii_case(hex_digest))
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatementWire<P> {
    #[serde(rename = "_type", default)]
    type_: Option<String>,
    #[serde(default)]
    subject: Option<Vec<SubjectWire>>,
    #[serde(default)]
    predicate_type: Option<String>,
    #[serde(default = "none")]
    predicate: Option<P>,
}

fn none<P>() -> Option<P> {
    None
}

#[derive(Deserialize)]
struct SubjectWire {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    digest: Option<DigestMap>,
}

/// A string-to-string map that rejects repeated keys.
struct DigestMap(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for DigestMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DigestMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of digest algorithm to hex digest")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DigestMap, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    if out.contains_key(&k) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate digest algorithm {:?}",
                            k.chars().take(32).collect::<String>()
                        )));
                    }
                    out.insert(k, v);
                }
                Ok(DigestMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatementOut<'a> {
    #[serde(rename = "_type")]
    type_: &'a str,
    subject: Vec<SubjectOut<'a>>,
    #[serde(skip_serializing_if = "str::is_empty")]
    predicate_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    predicate: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct SubjectOut<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    digest: &'a BTreeMap<String, String>,
}

/// SLSA provenance v0.2's predicate type.
pub const SLSA_PROVENANCE_V0_2: &str = "https://slsa.dev/provenance/v0.2";
/// SLSA provenance v1's predicate type.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// The in-toto Statement v1 for `predicate` (a JSON object) of `predicate_type` (not empty)
/// about `subjects`, each a name and its SHA-256 digest. SLSA provenance predicates must have
/// their required shape ([`check_predicate`]).
pub fn statement_for(
    subjects: &[(String, [u8; 32])],
    predicate_type: &str,
    predicate: serde_json::Value,
) -> Result<Statement, Error> {
    if predicate_type.is_empty() {
        return Err(Error::InvalidPredicate(
            "the predicate type must not be empty".to_owned(),
        ));
    }
    if !predicate.is_object() {
        return Err(Error::InvalidPredicate(
            "the predicate must be a JSON object".to_owned(),
        ));
    }
    check_predicate(predicate_type, &predicate)?;
    Ok(Statement {
        type_: media_types::IN_TOTO_STATEMENT_V1.to_owned(),
        subjects: subjects
            .iter()
            .map(|(name, digest)| Subject {
                name: name.clone(),
                digest: BTreeMap::from([(
                    "sha256".to_owned(),
                    crate::encoding::hex_encode(digest),
                )]),
            })
            .collect(),
        predicate_type: predicate_type.to_owned(),
        predicate: Some(predicate),
    })
}

/// For SLSA provenance predicate types, checks the predicate's required top-level shape:
/// v1 needs `buildDefinition` and `runDetails` objects; v0.2 a non-empty `builder.id` and
/// `buildType`. Other predicate types are not checked.
pub fn check_predicate(predicate_type: &str, predicate: &serde_json::Value) -> Result<(), Error> {
    let object = |name: &str| {
        predicate
            .get(name)
            .is_some_and(serde_json::Value::is_object)
    };
    let string = |value: Option<&serde_json::Value>| {
        value
            .and_then(serde_json::Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let invalid = |message: String| Err(Error::InvalidPredicate(message));
    match predicate_type {
        SLSA_PROVENANCE_V1 => {
            for field in ["buildDefinition", "runDetails"] {
                if !object(field) {
                    return invalid(format!(
                        "not SLSA provenance v1: the predicate needs a {field:?} object"
                    ));
                }
            }
        }
        SLSA_PROVENANCE_V0_2 => {
            if !string(predicate.get("builder").and_then(|b| b.get("id"))) {
                return invalid(
                    "not SLSA provenance v0.2: the predicate needs \"builder\": {\"id\": ...}"
                        .to_owned(),
                );
            }
            if !string(predicate.get("buildType")) {
                return invalid(
                    "not SLSA provenance v0.2: the predicate needs a \"buildType\" string"
                        .to_owned(),
                );
            }
        }
        _ => {}
    }
    Ok(())
}

impl Statement {
    /// [`check_predicate`] on this statement's predicate type and predicate (a missing
    /// predicate is `null`).
    pub fn check_predicate(&self) -> Result<(), Error> {
        check_predicate(
            &self.predicate_type,
            self.predicate.as_ref().unwrap_or(&serde_json::Value::Null),
        )
    }

    /// Whether a subject has the SHA-256 digest `digest`.
    pub fn has_sha256_subject(&self, digest: &[u8; 32]) -> bool {
        let hex = crate::encoding::hex_encode(digest);
        self.subjects.iter().any(|subject| {
            subject
                .digest
                .get("sha256")
                .is_some_and(|d| d.eq_ignore_ascii_case(&hex))
        })
    }

    /// The SHA-256 digest of the first subject that has a well-formed one.
    pub fn first_sha256_subject(&self) -> Option<[u8; 32]> {
        self.subjects.iter().find_map(|subject| {
            let hex = subject.digest.get("sha256")?;
            let bytes = crate::encoding::hex_decode_field(hex.as_bytes(), "digest").ok()?;
            bytes.try_into().ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v1_and_v01() {
        let v1 = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a.txt","digest":{"sha256":"ABCD","sha512":"ff"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"x":1}}"#;
        let s = Statement::from_json(v1).unwrap();
        assert_eq!(s.subjects.len(), 1);
        assert_eq!(s.subjects[0].digest["sha256"], "ABCD");
        assert_eq!(s.subjects_matching("sha256", "abcd").count(), 1);
        assert_eq!(s.subjects_matching("sha256", "abce").count(), 0);
        assert_eq!(s.subjects_matching("sha1", "abcd").count(), 0);
        assert_eq!(Statement::from_json(s.to_json().as_bytes()).unwrap(), s);

        let v01 = br#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"x","digest":{"sha256":"00"}}],"predicateType":"p","predicate":null}"#;
        let s = Statement::from_json(v01).unwrap();
        assert_eq!(s.predicate, None);
    }

    #[test]
    fn rejects_bad_statements() {
        type Check = fn(&Error) -> bool;
        let cases: [(&[u8], Check); 7] = [
            (br#"{"subject":[{"digest":{"sha256":"00"}}]}"#, |e| {
                *e == Error::MissingField("_type")
            }),
            (br#"{"_type":"https://in-toto.io/Statement/v2","subject":[{"digest":{"sha256":"00"}}]}"#, |e| {
                matches!(e, Error::UnsupportedStatementType(_))
            }),
            (br#"{"_type":"https://in-toto.io/Statement/v1","subject":[]}"#, |e| {
                *e == Error::NoSubjects
            }),
            (br#"{"_type":"https://in-toto.io/Statement/v1"}"#, |e| *e == Error::NoSubjects),
            (br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00","sha256":"11"}}]}"#, |e| {
                matches!(e, Error::Json { .. })
            }),
            (br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":5}}]}"#, |e| {
                matches!(e, Error::Json { .. })
            }),
            (br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":"#, |e| {
                matches!(e, Error::Json { .. })
            }),
        ];
        for (input, check) in cases {
            let err = Statement::from_json(input).unwrap_err();
            assert!(
                check(&err),
                "{err:?} for {}",
                String::from_utf8_lossy(input)
            );
        }

        let many_subjects = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{}]}}"#,
            vec![r#"{"digest":{"sha256":"00"}}"#; MAX_SUBJECTS + 1].join(",")
        );
        assert_eq!(
            Statement::from_json(many_subjects.as_bytes()),
            Err(Error::TooManySubjects {
                count: MAX_SUBJECTS + 1,
                max: MAX_SUBJECTS
            })
        );
        let digests: Vec<String> = (0..=MAX_DIGESTS_PER_SUBJECT)
            .map(|i| format!(r#""alg{i}":"00""#))
            .collect();
        let many_digests = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"digest":{{{}}}}}]}}"#,
            digests.join(",")
        );
        assert!(matches!(
            Statement::from_json(many_digests.as_bytes()),
            Err(Error::TooManyDigests { subject: 0, .. })
        ));
    }
}

#[cfg(test)]
mod skipping_tests {
    use super::*;

    #[test]
    fn skipping_the_predicate_keeps_every_other_check() {
        let good = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"p","predicate":{"x":[1,{"y":null}]}}"#;
        let full = Statement::from_json(good).unwrap();
        let skipped = Statement::from_json_skipping_predicate(good).unwrap();
        assert!(full.predicate.is_some() && skipped.predicate.is_none());
        assert_eq!(full.subjects, skipped.subjects);
        assert_eq!(full.predicate_type, skipped.predicate_type);
        for bad in [
            &br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicate":{}}"#[..],
            br#"{"_type":"x","subject":[{"digest":{"sha256":"00"}}]}"#,
            br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00"}}],"predicate":{"#,
            br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00","sha256":"11"}}]}"#,
        ] {
            assert_eq!(
                Statement::from_json(bad).is_err(),
                Statement::from_json_skipping_predicate(bad).is_err()
            );
            assert!(Statement::from_json_skipping_predicate(bad).is_err());
        }
    }
}

#[cfg(test)]
mod building_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statement_for_builds_a_v1_statement() {
        let digest = [0xab; 32];
        let s = statement_for(
            &[("a.txt".to_owned(), digest)],
            "https://example.com/p",
            json!({"k": 1}),
        )
        .unwrap();
        assert_eq!(s.type_, media_types::IN_TOTO_STATEMENT_V1);
        assert_eq!(s.subjects[0].name, "a.txt");
        assert_eq!(s.subjects[0].digest["sha256"], "ab".repeat(32));
        assert!(s.has_sha256_subject(&digest));
        assert!(!s.has_sha256_subject(&[0xac; 32]));
        assert_eq!(s.first_sha256_subject(), Some(digest));
        // It parses back to itself.
        assert_eq!(Statement::from_json(s.to_json().as_bytes()).unwrap(), s);
    }

    #[test]
    fn statement_for_refuses_bad_predicates() {
        let subjects = [("a".to_owned(), [0u8; 32])];
        let message = |r: Result<Statement, Error>| r.unwrap_err().to_string();
        assert_eq!(
            message(statement_for(&subjects, "", json!({}))),
            "the predicate type must not be empty"
        );
        assert_eq!(
            message(statement_for(&subjects, "p", json!([1]))),
            "the predicate must be a JSON object"
        );
        assert!(
            message(statement_for(&subjects, SLSA_PROVENANCE_V1, json!({})))
                .contains("buildDefinition")
        );
    }

    #[test]
    fn slsa_predicate_shapes() {
        let v1 = json!({"buildDefinition": {}, "runDetails": {}});
        assert!(check_predicate(SLSA_PROVENANCE_V1, &v1).is_ok());
        let err = check_predicate(SLSA_PROVENANCE_V1, &json!({"buildDefinition": {}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not SLSA provenance v1: the predicate needs a \"runDetails\" object"
        );
        let v02 = json!({"builder": {"id": "b"}, "buildType": "t"});
        assert!(check_predicate(SLSA_PROVENANCE_V0_2, &v02).is_ok());
        let no_id = json!({"builder": {"id": ""}, "buildType": "t"});
        assert!(check_predicate(SLSA_PROVENANCE_V0_2, &no_id)
            .unwrap_err()
            .to_string()
            .contains("builder"));
        let no_type = json!({"builder": {"id": "b"}});
        assert!(check_predicate(SLSA_PROVENANCE_V0_2, &no_type)
            .unwrap_err()
            .to_string()
            .contains("buildType"));
        // Other predicate types are not checked, and null is fine for them.
        assert!(check_predicate("https://example.com/p", &serde_json::Value::Null).is_ok());
        assert!(check_predicate(SLSA_PROVENANCE_V1, &serde_json::Value::Null).is_err());
    }

    #[test]
    fn statement_predicate_check_and_bad_subject_digests() {
        let text = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"zz"}},{"name":"y","digest":{"sha256":"00"}}],"predicateType":"https://slsa.dev/provenance/v1"}"#;
        let s = Statement::from_json(text).unwrap();
        assert!(s.check_predicate().is_err());
        // Neither subject has a well-formed SHA-256 digest.
        assert_eq!(s.first_sha256_subject(), None);
    }
}
