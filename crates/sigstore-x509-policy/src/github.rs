//! A policy for certificates issued to GitHub Actions workflows.

use crate::{
    AllOf, Certificate, Error, GitHubWorkflowName, GitHubWorkflowRef, GitHubWorkflowRepository,
    GitHubWorkflowSHA, GitHubWorkflowTrigger, Identity, OIDCIssuer, PolicyError,
    VerificationPolicy,
};

/// The issuer of GitHub Actions identity tokens.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// What a GitHub Actions signer must be: the issuer is always [`GITHUB_ACTIONS_ISSUER`], and
/// every field given must match exactly. At least `identity` or `repository` must be given
/// ([`GitHubPolicy::build`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitHubPolicy {
    /// The workflow repository, `OWNER/REPO` (extension `.1.5`).
    pub repository: Option<String>,
    /// The commit SHA the workflow ran on (`.1.3`).
    pub sha: Option<String>,
    /// The event that triggered the workflow (`.1.2`).
    pub trigger: Option<String>,
    /// The workflow's name (`.1.4`).
    pub name: Option<String>,
    /// The git ref the workflow ran on (`.1.6`).
    pub git_ref: Option<String>,
    /// The certificate identity (the workflow URI in the SAN).
    pub identity: Option<String>,
}

/// A built [`GitHubPolicy`]: the issuer check and one check per field given, all of which
/// must accept.
pub struct GitHubWorkflowPolicy(AllOf);

impl GitHubPolicy {
    /// The policy, or [`Error::GitHubPolicyUnconstrained`] when neither `identity` nor
    /// `repository` is given (any workflow on GitHub would be accepted).
    pub fn build(&self) -> Result<GitHubWorkflowPolicy, Error> {
        if self.identity.is_none() && self.repository.is_none() {
            return Err(Error::GitHubPolicyUnconstrained);
        }
        let mut policies: Vec<Box<dyn VerificationPolicy>> =
            vec![Box::new(OIDCIssuer::new(GITHUB_ACTIONS_ISSUER))];
        if let Some(identity) = &self.identity {
            policies.push(Box::new(Identity::new(identity, GITHUB_ACTIONS_ISSUER)));
        }
        if let Some(repository) = &self.repository {
            policies.push(Box::new(GitHubWorkflowRepository::new(repository)));
        }
        if let Some(sha) = &self.sha {
            policies.push(Box::new(GitHubWorkflowSHA::new(sha)));
        }
        if let Some(trigger) = &self.trigger {
            policies.push(Box::new(GitHubWorkflowTrigger::new(trigger)));
        }
        if let Some(name) = &self.name {
            policies.push(Box::new(GitHubWorkflowName::new(name)));
        }
        if let Some(git_ref) = &self.git_ref {
            policies.push(Box::new(GitHubWorkflowRef::new(git_ref)));
        }
        Ok(GitHubWorkflowPolicy(AllOf::new(policies)))
    }
}

impl VerificationPolicy for GitHubWorkflowPolicy {
    fn verify(&self, leaf: &Certificate) -> Result<(), PolicyError> {
        self.0.verify(leaf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_an_identity_or_a_repository() {
        let only_sha = GitHubPolicy {
            sha: Some("abc".into()),
            ..GitHubPolicy::default()
        };
        assert!(matches!(
            only_sha.build(),
            Err(Error::GitHubPolicyUnconstrained)
        ));
        let with_repo = GitHubPolicy {
            repository: Some("o/r".into()),
            ..only_sha.clone()
        };
        assert!(with_repo.build().is_ok());
        let with_identity = GitHubPolicy {
            identity: Some("https://github.com/o/r/.github/workflows/w.yml@refs/heads/main".into()),
            ..only_sha
        };
        assert!(with_identity.build().is_ok());
    }
}
