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
