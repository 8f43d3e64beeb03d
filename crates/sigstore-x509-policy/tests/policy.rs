//! Fulcio extensions, SAN decoding and identity policies on real conformance certificates.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use sigstore_x509_policy::*;

const SHA: &str = "c7b3dfb335f051e1c86bda4c716fac97df62ad81";
const REPO_URI: &str =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon";

#[test]
fn happy_leaf_extensions_decode() {
    let leaf = happy_leaf();
    let ext = FulcioExtensions::from_certificate(&leaf).unwrap();
    assert_eq!(ext.issuer.as_deref(), Some(HAPPY_ISSUER));
    assert_eq!(
        ext.github_workflow_trigger.as_deref(),
        Some("workflow_dispatch")
    );
    assert_eq!(ext.github_workflow_sha.as_deref(), Some(SHA));
    assert_eq!(
        ext.github_workflow_name.as_deref(),
        Some("Extremely dangerous OIDC beacon")
    );
    assert_eq!(
        ext.github_workflow_repository.as_deref(),
        Some("sigstore-conformance/extremely-dangerous-public-oidc-beacon")
    );
    assert_eq!(ext.github_workflow_ref.as_deref(), Some("refs/heads/main"));
    assert_eq!(ext.build_signer_uri.as_deref(), Some(HAPPY_IDENTITY));
    assert_eq!(ext.build_signer_digest.as_deref(), Some(SHA));
    assert_eq!(ext.runner_environment.as_deref(), Some("github-hosted"));
    assert_eq!(ext.source_repository_uri.as_deref(), Some(REPO_URI));
    assert_eq!(ext.source_repository_digest.as_deref(), Some(SHA));
    assert_eq!(
        ext.source_repository_ref.as_deref(),
        Some("refs/heads/main")
    );
    assert_eq!(
        ext.source_repository_identifier.as_deref(),
        Some("632596897")
    );
    assert_eq!(
        ext.source_repository_owner_uri.as_deref(),
        Some("https://github.com/sigstore-conformance")
    );
    assert_eq!(
        ext.source_repository_owner_identifier.as_deref(),
        Some("131804563")
    );
    assert_eq!(ext.build_config_uri.as_deref(), Some(HAPPY_IDENTITY));
    assert_eq!(ext.build_config_digest.as_deref(), Some(SHA));
    assert_eq!(ext.build_trigger.as_deref(), Some("workflow_dispatch"));
    assert_eq!(
        ext.run_invocation_uri.as_deref(),
        Some("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/actions/runs/8347481628/attempts/1")
    );
    assert_eq!(
        ext.source_repository_visibility_at_signing.as_deref(),
        Some("public")
    );
    assert_eq!(ext.deployment_environment, None);
    assert_eq!(ext.token_subject, None);

    let json = serde_json::to_value(&ext).unwrap();
    assert_eq!(json["issuer"], HAPPY_ISSUER);
    assert_eq!(json["sourceRepositoryVisibilityAtSigning"], "public");
    assert_eq!(json["githubWorkflowSha"], SHA);
    assert!(json.get("tokenSubject").is_none());

    assert_eq!(
        san(&leaf).unwrap(),
        SubjectAlternativeName::Uri(HAPPY_IDENTITY.into())
    );
    assert_eq!(san(&leaf).unwrap().as_str(), Some(HAPPY_IDENTITY));
    check_fulcio_leaf_profile(&leaf).unwrap();
}

#[test]
fn every_conformance_leaf_decodes() {
    let (mut passed, mut failed) = (0, 0);
    for case in cases() {
        let Some(leaf) = bundle_leaf(&case) else {
            continue;
        };
        let ok = FulcioExtensions::from_certificate(&leaf).is_ok_and(|e| e.issuer.is_some())
            && san(&leaf).is_ok_and(|s| s.as_str().is_some());
        if ok {
            passed += 1;
        } else {
            failed += 1;
            println!("FAILED {case}");
        }
    }
    println!("fulcio extension decoding: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    assert!(passed >= 40);
}

#[test]
fn profile_rejects_non_leaf_certificates() {
    let cas = fulcio_authorities(&production_root());
    let root = cas[0].certificates().last().unwrap();
    assert_eq!(
        check_fulcio_leaf_profile(root).unwrap_err(),
        Error::LeafIsCa
    );
    assert_eq!(san(root).unwrap_err(), Error::MissingSan);
    let tsa = tsa_authorities(&production_root()).remove(0);
    assert_eq!(
        check_fulcio_leaf_profile(&tsa.certificates()[0]).unwrap_err(),
        Error::MissingExtendedKeyUsage {
            expected: oids::CODE_SIGNING
        }
    );
}

fn pass(policy: &dyn VerificationPolicy) {
    let leaf = happy_leaf();
    policy
        .verify(&leaf)
        .unwrap_or_else(|e| panic!("expected pass: {e}"));
}

fn fail(policy: &dyn VerificationPolicy) -> PolicyError {
    policy
        .verify(&happy_leaf())
        .expect_err("expected rejection")
}

#[test]
fn identity_exact() {
    pass(&Identity::new(HAPPY_IDENTITY, HAPPY_ISSUER));
    let err = fail(&Identity::new(
        "https://github.com/other/repo",
        HAPPY_ISSUER,
    ));
    assert_eq!(
        err,
        PolicyError::Mismatch {
            field: "identity",
            expected: "https://github.com/other/repo".into(),
            actual: HAPPY_IDENTITY.into()
        }
    );
    assert!(err.to_string().contains("expected") && err.to_string().contains(HAPPY_IDENTITY));
    assert!(matches!(
        fail(&Identity::new(
            HAPPY_IDENTITY,
            "https://accounts.google.com"
        )),
        PolicyError::Mismatch {
            field: "OIDC issuer",
            ..
        }
    ));
    // Prefix and suffix are not equality.
    fail(&Identity::new(
        &HAPPY_IDENTITY[..HAPPY_IDENTITY.len() - 1],
        HAPPY_ISSUER,
    ));
    fail(&Identity::new(HAPPY_IDENTITY, &format!("{HAPPY_ISSUER}/")));
}

#[test]
fn identity_regex_is_anchored() {
    pass(&Identity::regex(r"https://github\.com/sigstore-conformance/.*", HAPPY_ISSUER).unwrap());
    pass(
        &Identity::regex_with_issuer_regex(".*oidc-beacon.*", r"https://token\.actions\..*")
            .unwrap(),
    );
    // Substring matches must not pass.
    let err = fail(&Identity::regex("sigstore-conformance", HAPPY_ISSUER).unwrap());
    assert!(
        matches!(
            err,
            PolicyError::RegexMismatch {
                field: "identity",
                ..
            }
        ),
        "{err:?}"
    );
    fail(&Identity::regex(r"https://github\.com/sigstore-conformance", HAPPY_ISSUER).unwrap());
    fail(&Identity::regex(r"refs/heads/main", HAPPY_ISSUER).unwrap());
    // Alternation cannot escape the anchors.
    fail(&Identity::regex(r"nomatch|sigstore-conformance", HAPPY_ISSUER).unwrap());
    // A multi-line flag inside the pattern does not un-anchor it either.
    fail(&Identity::regex(r"(?m)sigstore-conformance", HAPPY_ISSUER).unwrap());
    fail(&Identity::regex_with_issuer_regex(".*", "token.actions").unwrap());
    // Bad regexes are typed errors.
    assert!(matches!(
        Identity::regex("(unclosed", HAPPY_ISSUER),
        Err(Error::InvalidRegex { .. })
    ));
    assert!(matches!(
        Matcher::regex("a{99999999}"),
        Err(Error::InvalidRegex { .. })
    ));
    let m = Matcher::regex("abc").unwrap();
    assert!(
        m.is_match("abc") && !m.is_match("xabc") && !m.is_match("abcx") && !m.is_match("abc\n")
    );
}

#[test]
fn oidc_issuer() {
    pass(&OIDCIssuer::new(HAPPY_ISSUER));
    assert_eq!(
        fail(&OIDCIssuer::new("https://accounts.google.com")),
        PolicyError::Mismatch {
            field: "OIDC issuer",
            expected: "https://accounts.google.com".into(),
            actual: HAPPY_ISSUER.into()
        }
    );
}

#[test]
fn extension_policies_pass_and_fail() {
    let cases: Vec<(Box<dyn VerificationPolicy>, Box<dyn VerificationPolicy>)> = vec![
        (Box::new(GitHubWorkflowTrigger::new("workflow_dispatch")), Box::new(GitHubWorkflowTrigger::new("push"))),
        (Box::new(GitHubWorkflowSHA::new(SHA)), Box::new(GitHubWorkflowSHA::new(&SHA[1..]))),
        (Box::new(GitHubWorkflowName::new("Extremely dangerous OIDC beacon")), Box::new(GitHubWorkflowName::new("Extremely"))),
        (Box::new(GitHubWorkflowRepository::new("sigstore-conformance/extremely-dangerous-public-oidc-beacon")), Box::new(GitHubWorkflowRepository::new("sigstore-conformance/other"))),
        (Box::new(GitHubWorkflowRef::new("refs/heads/main")), Box::new(GitHubWorkflowRef::new("refs/heads/dev"))),
        (Box::new(BuildSignerURI::new(HAPPY_IDENTITY)), Box::new(BuildSignerURI::new(REPO_URI))),
        (Box::new(BuildSignerDigest::new(SHA)), Box::new(BuildSignerDigest::new("00"))),
        (Box::new(RunnerEnvironment::new("github-hosted")), Box::new(RunnerEnvironment::new("self-hosted"))),
        (Box::new(SourceRepositoryURI::new(REPO_URI)), Box::new(SourceRepositoryURI::new(HAPPY_IDENTITY))),
        (Box::new(SourceRepositoryDigest::new(SHA)), Box::new(SourceRepositoryDigest::new(SHA.to_uppercase()))),
        (Box::new(SourceRepositoryRef::new("refs/heads/main")), Box::new(SourceRepositoryRef::new("main"))),
        (Box::new(SourceRepositoryIdentifier::new("632596897")), Box::new(SourceRepositoryIdentifier::new("1"))),
        (Box::new(SourceRepositoryOwnerURI::new("https://github.com/sigstore-conformance")), Box::new(SourceRepositoryOwnerURI::new("https://github.com/sigstore"))),
        (Box::new(SourceRepositoryOwnerIdentifier::new("131804563")), Box::new(SourceRepositoryOwnerIdentifier::new("131804564"))),
        (Box::new(BuildConfigURI::new(HAPPY_IDENTITY)), Box::new(BuildConfigURI::new(""))),
        (Box::new(BuildConfigDigest::new(SHA)), Box::new(BuildConfigDigest::new(" "))),
        (Box::new(BuildTrigger::new("workflow_dispatch")), Box::new(BuildTrigger::new("workflow_dispatch "))),
        (Box::new(RunInvocationURI::new("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/actions/runs/8347481628/attempts/1")), Box::new(RunInvocationURI::new("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/actions/runs/8347481628/attempts/2"))),
        (Box::new(SourceRepositoryVisibilityAtSigning::new("public")), Box::new(SourceRepositoryVisibilityAtSigning::new("private"))),
    ];
    let n = cases.len();
    for (good, bad) in &cases {
        pass(good.as_ref());
        assert!(matches!(fail(bad.as_ref()), PolicyError::Mismatch { .. }));
    }
    // Absent extensions fail the policy.
    for missing in [
        Box::new(DeploymentEnvironment::new("production")) as Box<dyn VerificationPolicy>,
        Box::new(TokenSubject::new("repo:x")),
    ] {
        assert!(matches!(
            fail(missing.as_ref()),
            PolicyError::MissingExtension { .. }
        ));
    }
    println!("extension policies: {n} pass/fail pairs passed");
}

#[test]
fn combinators() {
    let all = AllOf::new(vec![
        Box::new(Identity::new(HAPPY_IDENTITY, HAPPY_ISSUER)),
        Box::new(GitHubWorkflowRef::new("refs/heads/main")),
    ]);
    pass(&all);
    let all_bad = AllOf::new(vec![
        Box::new(Identity::new(HAPPY_IDENTITY, HAPPY_ISSUER)),
        Box::new(GitHubWorkflowRef::new("refs/heads/dev")),
    ]);
    assert!(matches!(
        fail(&all_bad),
        PolicyError::Mismatch {
            field: "GitHub workflow ref",
            ..
        }
    ));
    assert_eq!(fail(&AllOf::new(vec![])), PolicyError::EmptyAllOf);

    let any = AnyOf::new(vec![
        Box::new(OIDCIssuer::new("https://accounts.google.com")),
        Box::new(OIDCIssuer::new(HAPPY_ISSUER)),
    ]);
    pass(&any);
    let none = AnyOf::new(vec![
        Box::new(OIDCIssuer::new("https://accounts.google.com")),
        Box::new(RunnerEnvironment::new("self-hosted")),
    ]);
    match fail(&none) {
        PolicyError::NoneMatched(errors) => assert_eq!(errors.len(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(fail(&AnyOf::new(vec![])), PolicyError::EmptyAnyOf);
    // Nested and boxed.
    let nested: Box<dyn VerificationPolicy> =
        Box::new(AllOf::new(vec![Box::new(any), Box::new(all)]));
    pass(&nested);
}

#[test]
fn policies_reject_certificates_without_identity() {
    let tsa = tsa_authorities(&production_root()).remove(0);
    let cert = &tsa.certificates()[0];
    let err = Identity::new(HAPPY_IDENTITY, HAPPY_ISSUER)
        .verify(cert)
        .unwrap_err();
    assert_eq!(err, PolicyError::Certificate(Box::new(Error::MissingSan)));
    assert!(matches!(
        OIDCIssuer::new(HAPPY_ISSUER).verify(cert).unwrap_err(),
        PolicyError::MissingExtension { .. }
    ));
    assert!(matches!(
        GitHubWorkflowTrigger::new("push").verify(cert).unwrap_err(),
        PolicyError::MissingExtension { .. }
    ));
}

#[test]
fn github_policy_builder() {
    let repo = "sigstore-conformance/extremely-dangerous-public-oidc-beacon";
    let full = GitHubPolicy {
        repository: Some(repo.into()),
        sha: Some(SHA.into()),
        trigger: Some("workflow_dispatch".into()),
        name: Some("Extremely dangerous OIDC beacon".into()),
        git_ref: Some("refs/heads/main".into()),
        identity: Some(HAPPY_IDENTITY.into()),
    };
    pass(&full.build().unwrap());
    // Each field is checked: one wrong value rejects.
    let wrong: [fn(&mut GitHubPolicy); 6] = [
        |p| p.repository = Some("sigstore-conformance/other".into()),
        |p| p.sha = Some(SHA[1..].into()),
        |p| p.trigger = Some("push".into()),
        |p| p.name = Some("Extremely".into()),
        |p| p.git_ref = Some("refs/heads/other".into()),
        |p| p.identity = Some(format!("{HAPPY_IDENTITY}x")),
    ];
    for change in wrong {
        let mut policy = full.clone();
        change(&mut policy);
        assert!(matches!(
            fail(&policy.build().unwrap()),
            PolicyError::Mismatch { .. }
        ));
    }
    let repository_only = GitHubPolicy {
        repository: Some(repo.into()),
        ..GitHubPolicy::default()
    };
    pass(&repository_only.build().unwrap());
    assert!(matches!(
        GitHubPolicy::default().build(),
        Err(Error::GitHubPolicyUnconstrained)
    ));
    assert_eq!(GITHUB_ACTIONS_ISSUER, HAPPY_ISSUER);
}

/// The regex syntax identity policies get: Unicode-aware `\w`, `\d`, `\s` and `(?i)`; Unicode
/// property classes are refused as invalid rather than matched some other way.
#[test]
fn identity_regex_syntax() {
    let matches = |pattern: &str, value: &str| Matcher::regex(pattern).unwrap().is_match(value);
    assert!(matches(r"\w+@example\.com", "josé@example.com"));
    assert!(!matches(r"\w+@example\.com", "jo sé@example.com"));
    assert!(matches(r"\d+", "٣"));
    assert!(matches(r"(?i)USER@EXAMPLE\.COM", "user@example.com"));
    assert!(matches(r"(?i)ÉTÉ", "été"));
    assert!(!matches(r"ÉTÉ", "été"));
    for pattern in [r"\p{Greek}+", r"\pL+", r"\p{Script=Latin}"] {
        assert!(
            matches!(Matcher::regex(pattern), Err(Error::InvalidRegex { .. })),
            "{pattern}"
        );
    }
}
